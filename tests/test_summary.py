"""'What we discussed': topics found in a transcript written for the test, one bullet each."""

from __future__ import annotations

from generator.recordings.summary import Sentence, terms, topics

SLEEP = [
    "How has your sleep been since we last talked?",
    "My sleep is better, I leave the phone in the kitchen at night.",
    "Without the phone in the bedroom I fall asleep before eleven.",
    "What made the difference for your sleep?",
    "Mostly the phone, the bedroom is for sleep now.",
    "Some nights the phone still comes back to the bedroom.",
    "Keeping the phone out of the bedroom helps you sleep.",
    "I will keep the phone in the kitchen every night.",
]
MONEY = [
    "Let's look at money and the budget.",
    "I set up a budget spreadsheet and tracked every expense.",
    "The spreadsheet showed food delivery costs four hundred a month.",
    "What will you change in the budget?",
    "Cooking at home would cut the delivery expense in half.",
    "The budget spreadsheet makes the money visible.",
    "I will cook at home and track the expense in the spreadsheet.",
    "Bring the budget spreadsheet next time.",
]
RUNNING = [
    "How is the training for the race going?",
    "I ran five kilometres without stopping on Saturday.",
    "My knees were fine after the run, which was my worry.",
    "Will you sign up for the race in October?",
    "I'm going to sign up for the October race this weekend.",
    "The training plan has three runs a week before the race.",
    "Running in the morning gives me energy for the day.",
    "Your knees and the training both sound ready for the race.",
]


def session() -> list[Sentence]:
    said = SLEEP + MONEY + RUNNING
    return [Sentence(5.0 * i, text, "Coach" if i % 2 else "Client") for i, text in enumerate(said)]


def test_each_topic_gets_one_bullet_timed_inside_it() -> None:
    found = topics(session(), duration=120.0)
    assert [t.start for t in found] == [0.0, 40.0, 80.0]
    for topic, words in zip(found, (SLEEP, MONEY, RUNNING), strict=True):
        assert topic.start <= topic.bullet_at < topic.end
        assert topic.bullet.split(". ")[0].rstrip(".") + "." in words
        assert not topic.bullet.endswith("?")  # a statement, not a question
    assert "sleep" in found[0].title.lower() or "phone" in found[0].title.lower()
    assert "budget" in found[1].title.lower() or "spreadsheet" in found[1].title.lower()
    assert "race" in found[2].title.lower() or "training" in found[2].title.lower()


def test_a_moment_title_is_a_short_phrase_not_a_list_of_words() -> None:
    # The weightiest run of content words among the topic's central sentences: what the
    # journal's chapter list shows, so it should read like a title.
    found = topics(session(), duration=120.0)
    assert [t.title for t in found[1:]] == ["Budget spreadsheet", "October race"]
    assert all(len(t.title.split()) <= 4 and "," not in t.title for t in found)


def test_a_topic_without_a_noun_phrase_is_titled_by_a_short_phrase() -> None:
    # No two content words stand together here: the title is the phrase that carries them,
    # not a list of its weightiest words ("Call and move").
    found = topics(
        [
            Sentence(0.0, "I managed to walk every morning before work."),
            Sentence(6.0, "This week I'll call my sister about the move."),
        ],
        12.0,
    )
    assert [t.title for t in found] == ["Call my sister about the move"]


def test_a_short_session_is_one_topic_and_silence_is_none() -> None:
    short = [Sentence(3.0 * i, t) for i, t in enumerate(SLEEP[:5])]
    assert len(topics(short, duration=15.0)) == 1
    assert topics([Sentence(0.0, "Okay. Yes.")], duration=2.0) == []


def test_terms_fold_plurals_and_drop_small_words() -> None:
    assert terms("The nights and the deliveries, sleeping well") == ["night", "deliveri", "sleep"]
