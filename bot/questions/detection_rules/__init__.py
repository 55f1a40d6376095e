"""The rules behind `bot.questions.detection`, one module per kind.

* `sentences`: cleaning (quoted lines, code, emoji, quoted spans, "?" in patterns) and splitting;
* `forms`: question forms read from a sentence's first words ("how do I", "est-ce que");
* `requests`: asking with no question form (a problem title, a search for someone, an indirect
  question, a request for advice);
* `rhetoric`: "?" sentences that ask nothing.
"""
