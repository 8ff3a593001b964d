"""Lesson action links: parsed with defaults, refused with a message that says what to fix."""

import pytest

from workbench.lessons.actions import ActionError, is_action_link, parse_action


def test_invoke_defaults_and_given_values():
    action = parse_action("action:invoke?times=5&mode=parallel")
    assert action.kind == "invoke"
    assert action.params == {"times": 5, "mode": "parallel", "type": "sync", "event": ""}
    assert "5" in action.describe()


def test_set_takes_only_the_settings_given_and_empty_clears():
    assert parse_action("action:set?reserved_concurrency=2").params == {"reserved_concurrency": 2}
    assert parse_action("action:set?reserved_concurrency=").params == {"reserved_concurrency": None}


def test_bucket_key_is_url_decoded():
    assert (
        parse_action("action:bucket-put?key=photos/cat%201.jpg").params["key"] == "photos/cat 1.jpg"
    )


@pytest.mark.parametrize(
    ("href", "says"),
    [
        ("action:explode", "unknown action 'explode'"),
        ("action:invoke?times=0", "from 1 to 100"),
        ("action:invoke?mode=sideways", "one of serial, parallel"),
        ("action:invoke?colour=red", "takes no 'colour'"),
        ("action:set", "needs at least one of"),
        ("https://example.com", "not an action link"),
    ],
)
def test_bad_links_say_what_is_wrong(href, says):
    with pytest.raises(ActionError, match=says):
        parse_action(href)


def test_is_action_link():
    assert is_action_link("action:invoke")
    assert not is_action_link("https://aws.amazon.com")
