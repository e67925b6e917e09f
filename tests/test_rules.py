"""The rule bot matches what a client means: real phrasings and who should answer them.

``human`` hands off to an administrator, a rule's name means its fixed or looked-up
answer serves the question, ``assistant`` means no rule does and the AI assistant
answers. Pure: no stack needed.
"""

from __future__ import annotations

import pytest

from faas_ems.support import rules

ASSISTANT = "assistant"

PHRASINGS = [
    # asking for a person
    ("I want to talk to a human", "human"),
    ("Can I speak with someone from support please?", "human"),
    ("get me a real person", "human"),
    ("Is there an operator? This is urgent", "human"),
    # small talk
    ("Hello", "greeting"),
    ("hi there!", "greeting"),
    ("Good morning", "greeting"),
    ("thanks!", "thanks"),
    ("ok thanks", "thanks"),
    ("bye", "goodbye"),
    ("help", "help"),
    ("What can you do?", "help"),
    # the user's own figures
    ("How much did I use today?", "today"),
    ("What's my consumption so far today?", "today"),
    ("how much energy have I used this morning", "today"),
    ("usage", "today"),
    ("How much electricity did I use yesterday?", "yesterday"),
    ("yesterday's consumption please", "yesterday"),
    ("What are my limits?", "limits"),
    ("what is the hourly limit of my meters", "limits"),
    ("Which meters do I have?", "devices"),
    ("How many devices are assigned to me?", "devices"),
    ("my meters", "devices"),
    ("Do I have any alerts?", "alerts"),
    ("show my latest alert", "alerts"),
    ("why did I get an alert?", "alerts"),  # the latest alert says which hour went over
    ("and yesterday?", "yesterday"),
    ("Are my meters online?", "offline"),
    ("my kitchen meter is offline", "offline"),
    ("There are no readings from the garage since Monday", "offline"),
    # how-to
    ("How do I read the chart?", "charts"),
    ("Where can I download my data as CSV?", "charts"),
    ("How can I reduce my electricity consumption?", "saving tips"),
    ("any energy saving tips?", "saving tips"),
    ("How do I change my password?", "account"),
    ("where do I set my time zone", "account"),
    ("I can't log in on my phone", "account"),
    ("Where is my bill?", "billing"),
    ("How do I pay my invoice?", "billing"),
    # more than a rule's answer covers: the assistant
    ("Why is my heat pump over the limit so often? Is it broken?", ASSISTANT),
    ("kW vs kWh on my bill", ASSISTANT),
    ("Why do I keep getting alerts every evening?", ASSISTANT),
    ("Is it normal that my consumption doubled this week?", ASSISTANT),
    ("What does kWh mean?", ASSISTANT),
    ("Why is my tariff higher in winter?", ASSISTANT),
    ("How can I stop getting so many notifications?", ASSISTANT),
    ("My meter's display shows 3 kW, is that right?", ASSISTANT),
    ("Why does the chart show a spike every night?", ASSISTANT),
    ("Should I raise my limit or buy a new boiler?", ASSISTANT),
    ("Compare today with yesterday", ASSISTANT),
    ("Why are my meters offline?", ASSISTANT),
    ("What is the difference between the day and the month view?", ASSISTANT),
    ("Can I run the dishwasher and the oven at the same time?", ASSISTANT),
    ("This morning the lights flickered, could the meter be faulty?", ASSISTANT),
    # words that merely appear
    ("Max is my son's name, he set up the account", ASSISTANT),
    ("This is history", ASSISTANT),
]


def test_the_table_covers_every_rule_and_enough_phrasings():
    expected = {answer for _, answer in PHRASINGS}
    assert {rule.name for rule in rules.RULES} | {ASSISTANT} <= expected
    assert len(PHRASINGS) >= 40


@pytest.mark.parametrize(("text", "expected"), PHRASINGS)
def test_who_answers(text, expected):
    rule = rules.match(text)
    assert (rule.name if rule else ASSISTANT) == expected
