"""`/community` as owners and members use it."""


def test_setup_by_the_channel_creator_makes_a_group(workspace):
    reply = workspace.run("UOWNER", "setup")
    assert reply.startswith("<#C1> is now a managed group and you are its owner.")
    group = workspace.core.groups.get("T1", "C1")
    assert group.owners == ["UOWNER"] and group.config["timezone"] == "Europe/Paris"  # the owner's own tz


def test_setup_by_someone_else_is_refused_with_who_can(workspace):
    reply = workspace.run("UALICE", "setup")
    assert reply.startswith("Only the channel's creator (<@UOWNER>), a workspace admin")
    assert workspace.core.groups.get("T1", "C1") is None


def test_setup_by_a_workspace_admin_is_allowed(workspace):
    assert "is now a managed group" in workspace.run("UADMIN", "setup")


def test_an_existing_group_is_not_taken_over(group):
    reply = group.run("UADMIN", "setup")
    assert reply.startswith("<#C1> is already managed; its owners are <@UOWNER>.")
    assert group.core.groups.get("T1", "C1").owners == ["UOWNER"]


def test_owner_only_commands_are_refused_to_members_and_change_nothing(group):
    for text in ("purpose hijack", "owners add <@UALICE|alice>", "config first_wait 1m", "welcome hi", "locale fr"):
        assert group.run("UALICE", text) == "Only this group's owners can do that. The owners are <@UOWNER>."
    stored = group.core.groups.get("T1", "C1")
    assert (stored.purpose, stored.owners, stored.settings, stored.welcome_template, stored.locale) == ("", ["UOWNER"], {"timezone": "Europe/Paris"}, None, "en")


def test_co_owners_can_be_added_and_removed_but_never_the_last(group):
    assert group.run("UOWNER", "owners add <@UALICE|alice>") == "<@UALICE> is now an owner of <#C1>."
    assert group.run("UALICE", "purpose Co-owned now").startswith("Purpose of <#C1> updated")
    assert group.run("UALICE", "owners remove <@UOWNER>") == "<@UOWNER> is no longer an owner of <#C1>."
    assert group.run("UALICE", "owners remove <@UALICE>").startswith("A group keeps at least one owner")
    assert group.run("UALICE", "owners add <@UOTHERBOT>") == "A bot cannot own a group."
    assert group.run("UALICE", "owners add alice") == "Usage: `/community owners [add|remove @user]`"


def test_config_lists_and_sets_values_and_explains_bad_ones(group):
    listing = group.run("UOWNER", "config")
    assert "• `first_wait` = `30m`" in listing and "• `working_days` = `mon,tue,wed,thu,fri`" in listing
    assert group.run("UOWNER", "config first_wait 45m") == "`first_wait` is now `45m`."
    assert group.run("UOWNER", "config first_wait soon") == "`soon` does not fit `first_wait`: expected a duration from 1m to 7d, written like 30m, 2h or 3d."
    assert group.run("UOWNER", "config nap_time 1h").startswith("There is no setting `nap_time`. Settings: `timezone`, `welcome_in`")
    assert group.run("UOWNER", "config timezone Europe/Paris") == "`timezone` is now `Europe/Paris`."
    assert group.core.groups.get("T1", "C1").config["first_wait"] == 45 * 60


def test_welcome_template_with_an_unknown_placeholder_is_refused(group):
    assert group.run("UOWNER", "welcome Hi {name}!").startswith("That template cannot be used: `{name}`.")
    assert group.core.groups.get("T1", "C1").welcome_template is None


def test_welcome_preview_shows_the_rendered_message(group):
    group.run("UOWNER", "purpose Mobile")
    preview = group.run("UOWNER", "welcome preview")
    assert preview.startswith("This is what a new member will see:\nWelcome to <#C1>, <@UOWNER>!")


def test_help_shows_owner_commands_only_to_owners(group):
    member_help = group.run("UALICE", "help")
    owner_help = group.run("UOWNER", "help")
    assert "/community setup" in member_help and "/community config" not in member_help
    assert "*As an owner of this group:*" in owner_help and "expert_daily_cap" in owner_help


def test_unknown_subcommand_and_unmanaged_channel_answers(workspace):
    assert workspace.run("UALICE", "dance") == "I don't know `dance`. Try `/community help`."
    assert workspace.run("UALICE", "config").startswith("This channel is not a managed group yet.")
    assert workspace.run("UALICE", "") .startswith("*/community* — what you can do here:")


def test_a_slack_error_during_setup_is_reported_and_nothing_is_created(workspace):
    workspace.slack.fail("conversations.info", "channel_not_found")
    assert workspace.run("UOWNER", "setup").startswith("Slack refused that (channel_not_found)")
    assert workspace.core.groups.get("T1", "C1") is None


def test_app_home_lists_the_groups_the_user_owns(group):
    from handlers.emulator import app_home_opened_event
    group.sender.event(app_home_opened_event("UOWNER"))
    [call] = group.slack.wait_for("views.publish")
    assert call["user_id"] == "UOWNER"
    assert "*Dashboard* of <#C1>" in str(call["view"])
