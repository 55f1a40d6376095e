"""The shared default list: phrases every managed group watches for unless its owners turn it off
(`/community config moderation_defaults off`). Data only, written like owners' rules (whole words,
folded, `*` inside a word for any letters); French and English at once, since a message's language
is not known. Kept short and unambiguous on purpose: personal insults, harassment, and the spam
and scams that reach community channels. Words with innocent meanings ("stupid", "dumb") are left
to each group's own rules, and so are words innocent in the other language ("retard" is a delay in
French, "crevé" tired): a report costs an owner's time.
"""

ENGLISH = (
    "idiot", "idiots", "moron*", "imbecile*", "retarded",
    "shut up", "shut the fuck up", "stfu", "fuck you", "fuck off", "piece of shit",
    "asshole*", "bastard*", "bitch", "bitches", "dickhead*", "motherfucker*", "cunt*", "wanker*",
    "kill yourself", "kys", "go die",
    "buy followers", "free crypto", "crypto giveaway", "double your bitcoin", "guaranteed profit*",
    "send me your password", "verify your account now",
)

FRENCH = (
    "connard*", "connasse*", "salaud*", "salope*", "enfoire*", "encule*", "abruti*", "cretin*",
    "batard*", "pauvre con", "ta gueule", "ferme ta gueule", "ftg", "va te faire foutre",
    "nique ta mere", "ntm", "casse toi",
    "argent facile", "gagnez de l argent", "crypto gratuite", "doublez vos bitcoins", "envoie moi ton mot de passe",
)

PHRASES = ENGLISH + FRENCH
