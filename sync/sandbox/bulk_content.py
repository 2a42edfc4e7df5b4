"""Any number of realistic, varied scenario entries for load tests and the benchmark (the demo seeds five).

Deterministic for a given seed: panic situations crossed with products and customer segments, each with its
own scripted lines, owners, keywords and review states in the proportions a real library has (most approved,
some waiting for a review, some edited after approval, a few with a required field left empty).
"""

from __future__ import annotations

import itertools
import random

from sync.sandbox.demo_content import NEW_AGENTS, SCREEN, DemoEntry

# (situation, keywords, goal, acknowledge, act now, expectation, escalation rule, close, de-escalation phrase)
SITUATIONS: list[tuple[str, tuple[str, ...], str, str, str, str, str, str, str]] = [
    (
        "says {product} is down for their whole team",
        ("outage", "production down", "urgent"),
        "Take an outage report seriously without promising a fix time.",
        '"That sounds like it stops your team working, so let\'s treat it as urgent."',
        '"I\'m checking the incident board and your {product} logs while we talk."',
        '"If an engineer is needed, tier-2 picks it up within {hours} hours and contacts you directly."',
        "Production down for a {segment} customer: tag '{tag}' and hand to tier-2 at once.",
        "\"You're in the priority queue now; you'll hear from us within {hours} hours.\"",
        "That sounds like it stops your team working, so let's treat it as urgent.",
    ),
    (
        "wants a refund for {product} outside the window",
        ("refund", "billing dispute"),
        "Decline an out-of-window refund without arguing and route real exceptions.",
        '"I understand; paying for something you didn\'t use is frustrating."',
        '"I can see the {product} charge; let me check whether a credit fits."',
        '"Billing reviews exceptions within {days} working days."',
        "Outside 30 days: exception form. Duplicate charge or legal threat: billing tier-2 the same day.",
        '"I\'ve sent the exception request; billing answers by email within {days} working days."',
        "I understand; paying for something you didn't use is frustrating.",
    ),
    (
        "threatens to cancel {product} after a bad week",
        ("churn threat", "cancellation", "retention"),
        "Hear a cancellation threat out and bring in the account team without bargaining.",
        '"Thank you for telling me before deciding; I want to understand what went wrong."',
        "\"I'm pulling up this week's {product} tickets so you don't have to repeat yourself.\"",
        '"Your account manager will call you within {days} working days with a plan."',
        "Any {segment} cancellation threat: copy the account manager and log 'churn-risk'.",
        '"I\'ve logged everything; your account manager has the whole story."',
        "Thank you for telling me before deciding.",
    ),
    (
        "reports that {product} lost their data",
        ("data loss", "missing data", "backup"),
        "Stay calm about reported data loss and get engineering the facts fast.",
        '"I understand how alarming missing data is; let\'s find out exactly what happened."',
        '"Can you tell me which records and when you last saw them in {product}?"',
        '"Our data team checks backups within {hours} hours; I\'ll update you either way."',
        "Any report of lost data: tier-2 data team at once; never say the data is gone.",
        '"The data team has your case; you\'ll have an update within {hours} hours."',
        "I understand how alarming missing data is.",
    ),
    (
        "cannot log in to {product} before a deadline",
        ("login", "locked out", "deadline"),
        "Unblock a locked-out customer safely, without skipping verification.",
        '"Let\'s get you back in; I know the deadline makes every minute count."',
        '"I\'m sending a reset link to the address on file right now."',
        "\"If the link doesn't arrive within {minutes} minutes, I'll verify you another way.\"",
        "Never change a login e-mail in chat; suspected takeover goes to security the same shift.",
        "\"You're back in; I'll stay on this thread until you confirm it works.\"",
        "Let's get you back in.",
    ),
    (
        "asks when a {product} feature will ship",
        ("roadmap", "feature request"),
        "Log a feature request and offer a workaround without hinting at dates.",
        '"Thanks for telling us what you need; can you walk me through the use case?"',
        '"Today the closest thing in {product} is a scheduled export; I can set it up with you."',
        "\"I've logged this with your example; I can't say if or when it will ship.\"",
        "Roadmap questions go to the feedback form; {segment} accounts also copy the account manager.",
        '"Your request is logged, and you\'ll be told if its status changes."',
        "Thanks for telling us what you need.",
    ),
    (
        "is angry about a double charge for {product}",
        ("double charge", "billing", "refund"),
        "Own a billing error quickly and say exactly when the money comes back.",
        "\"I'm sorry about that charge; let's get it sorted now.\"",
        '"I can see both {product} charges; I\'m flagging the duplicate to billing."',
        '"Duplicate charges are reversed within {days} working days of billing confirming."',
        "Confirmed duplicate: billing tier-2 the same day. Never promise a date the bank controls.",
        '"Billing has the duplicate; you\'ll get their confirmation by e-mail."',
        "I'm sorry about that charge; let's get it sorted now.",
    ),
    (
        "wants data about another user in their {product} account",
        ("account access", "sensitive data", "verification"),
        "Hold the line on data access while offering the verified route.",
        '"I understand you need this quickly."',
        '"I can send a verification request to the account owner right now."',
        '"Once the owner confirms, access is granted within {days} working day."',
        "Any pressure to bypass verification: security team, same shift.",
        '"The request is with the owner; nothing changes until they confirm."',
        "I understand you need this quickly.",
    ),
    (
        "says the {product} integration stopped syncing",
        ("integration broken", "sync failure", "api errors"),
        "Collect what tier-2 needs from a broken integration in one pass.",
        '"A stopped sync is disruptive; let\'s pin down where it breaks."',
        '"Which system, and when did the last {product} sync succeed?"',
        '"Integration issues are picked up by tier-2 within {hours} hours."',
        "API errors for a {segment} account: tag '{tag}' with the error text and escalate.",
        '"Tier-2 has the error details; you\'ll hear from them within {hours} hours."',
        "A stopped sync is disruptive; let's pin down where it breaks.",
    ),
    (
        "escalates after an incomplete first answer about {product}",
        ("mid-thread escalation", "second agent"),
        "Recover trust after a colleague's partial answer without blaming them.",
        '"You\'re right that the earlier answer left part of your question open."',
        '"I\'ve read the whole thread and can answer the {product} part now."',
        '"For the rest I need tier-2, who reply within {hours} working hours."',
        "A second escalation in one thread goes to the shift lead; offer a callback if asked twice.",
        '"I\'m keeping this thread with me until tier-2 replies."',
        "You're right that the earlier answer left part of your question open.",
    ),
    (
        "mentions legal action over {product}",
        ("legal threat", "compliance"),
        "Respond to a legal threat calmly and hand it to the right people.",
        '"I understand this is serious for you, and I\'m going to make sure the right team sees it."',
        '"I\'m recording the details of your {product} issue exactly as you describe them."',
        '"Our legal team responds to formal concerns within {days} working days."',
        "Any mention of legal action: stop troubleshooting, copy legal, no admissions.",
        '"Your concern is with our legal team; they will contact you directly."',
        "I understand this is serious for you.",
    ),
    (
        "reports a security incident in {product}",
        ("security", "suspicious login", "breach"),
        "Treat a possible breach as urgent and involve security at once.",
        '"Thank you for flagging this straight away; we take it seriously."',
        '"I\'m locking active sessions on your {product} account while we look."',
        '"Security reviews reports like this within {hours} hours."',
        "Possible breach: security on-call immediately; never speculate about cause.",
        '"Security has your report and will contact you within {hours} hours."',
        "Thank you for flagging this straight away.",
    ),
]
PRODUCTS = [
    "Billing Portal",
    "Mobile App",
    "Analytics",
    "Payroll",
    "Inventory",
    "Scheduler",
    "Data Export",
    "Help Center",
    "Checkout",
    "Reporting API",
    "Team Chat",
    "Invoicing",
    "Single Sign-On",
    "Webhooks",
    "CRM Sync",
    "Forms",
    "Time Tracking",
    "Storage",
    "Dashboards",
    "Notifications",
    "Search",
    "Audit Log",
    "Calendar",
    "Workflows",
    "Marketplace",
]
SEGMENTS = ["enterprise", "mid-market", "small business", "trial", "non-profit", "public sector", "partner", "EDU"]
OWNERS = [
    "Priya Raman",
    "Marcus Lindqvist",
    "Aiko Tanaka",
    "Tomás Herrera",
    "Fatima Zahra",
    "Jonas Berg",
    "Lena Novak",
    "Samuel Okafor",
    "Chloé Martin",
    "Wei Chen",
    "Ana Ruiz",
    "David Cohen",
]


def bulk_entries(count: int, seed: int = 7) -> list[DemoEntry]:
    """`count` entries with unique titles; the same count and seed always give the same entries."""
    rng = random.Random(seed)
    combos = list(itertools.product(range(len(SITUATIONS)), PRODUCTS, SEGMENTS))
    rng.shuffle(combos)
    entries: list[DemoEntry] = []
    for index in range(count):
        situation, product, segment = combos[index % len(combos)]
        lap = index // len(combos)
        title_t, keywords, goal, ack, now, expect, rule, close, phrase = SITUATIONS[situation]
        values = {
            "product": product,
            "segment": segment,
            "tag": f"{product.split()[0]}-P{1 + index % 3}",
            "hours": str(rng.choice([1, 2, 4, 8])),
            "days": str(rng.choice([1, 2, 3, 5])),
            "minutes": str(rng.choice([5, 10, 15])),
        }
        title = f"{segment.capitalize()} customer {title_t.format(**values)}" + (f" ({lap + 1})" if lap else "")
        steps = tuple(text.format(**values) for text in (ack, now, expect, rule, close))
        version = rng.choice([1, 1, 2, 2, 3, 4])
        roll = rng.random()
        reviews: dict[str, tuple[str, int | None]] = {
            "legal": ("Approved", version),
            "ops": ("Approved", version),
            "product": ("Signed off" if roll < 0.3 else "Approved", version),
        }
        if 0.85 <= roll < 0.91:  # waiting for legal
            reviews["legal"] = ("In review", None)
        elif 0.91 <= roll < 0.96:  # edited after approval
            reviews = {name: (state, version - 1 if version > 1 else None) for name, (state, _) in reviews.items()}
        if roll >= 0.96:  # a required field left empty
            steps = (steps[0], steps[1], steps[2], "", steps[4])
        entries.append(
            DemoEntry(
                title=title,
                keywords=(*keywords, product.lower()),
                audience=NEW_AGENTS,
                tone=rng.choice(
                    [
                        "Steady and warm; promise only the next step.",
                        "Calm and procedural; the rules are not negotiable.",
                        "Empathetic and firm; explain once, then move on.",
                        "Accountable and concise; no blame.",
                    ]
                ),
                visual_style=SCREEN,
                goal=goal,
                outcome=f"The {segment} customer knows what happens next with {product}, and nobody promised more.",
                steps=steps,  # type: ignore[arg-type]
                quick={
                    "de_escalation_phrase": phrase,
                    "immediate_action": steps[1].strip('"'),
                    "escalation_rule": rule.format(**values),
                    "timeline_expectation": steps[2].strip('"'),
                    "tone_control": "No guesses, no dates we do not control, no blame.",
                },
                owner=OWNERS[index % len(OWNERS)],
                version=version,
                reviews=reviews,
                revalidated_days_ago=rng.randint(1, 80),
            )
        )
    return entries
