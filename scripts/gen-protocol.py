#!/usr/bin/env python3
"""Writes a synthetic protocol of N rules, and cases for it, to measure how the
checker and the evaluator scale with the size of a protocol.

    scripts/gen-protocol.py N [--seed S] [-o FILE] [--cases FILE] [--count C]

Writes the protocol to FILE (default stdout) and, with --cases, C cases for it
(default 1) as JSON Lines. The same N and seed always give byte-identical files
(Python 3 standard library only, one seeded generator).

The protocol looks like a large institutional pathway, not like one rule
repeated:

- a vocabulary that grows with N: 100 + N/100 agents in 24 classes, some with
  aliases, and as many regimens of two to four agents, some in a class
  (2000 rules: 120 of each; 50,000 rules: 600);
- an enum of histologies, an ordered response enum and five avoid reasons;
- a case of an age, an ECOG, a histology, 24 flags, 12 lab values (numbers
  with units, one as a series) and a history of therapy lines;
- N/10 defines over the case and the history, each used by rules;
- N rules, in sections of 50, mixing: recommend (one to three regimens, with a
  rank or unranked, a goal and evidence), consider, avoid of an agent, regimen
  or class with a reason code and `because`, flag, refer, order and missing,
  some with an `if`; conditions combine defines, comparisons of fields with
  literals, enum tests and history reads (`received`, `refractory to`,
  `relapse after … within`).

Every case resolves its regimens to the vocabulary and has every field the
rules read (a few unknowns on purpose), so evaluating it reads every rule.
"""

import argparse
import datetime
import json
import random
import sys

CLASSES = [
    "alkylator", "anthracycline", "platinum", "antimetabolite", "taxane", "vinca",
    "corticosteroid", "anti-CD20", "anti-CD19", "anti-CD38", "anti-HER2", "tki",
    "parp", "cdk46", "immunomodulator", "proteasome", "bispecific", "adc",
    "checkpoint", "hormonal", "antiangiogenic", "hypomethylating", "bcl2", "mtor",
]
HISTOLOGIES = ["H_A", "H_B", "H_C", "H_D", "H_E", "H_F", "H_G", "H_H", "H_I", "H_J"]
RESPONSES = ["CR", "PR", "SD", "PD"]
REASONS = ["renal", "hepatic", "cardiac", "prior_failure", "interaction"]
GOALS = ["curative", "disease-control", "palliative"]
FLAGS = 24
LABS = [
    ("crcl", "mL/min", 20, 140),
    ("bili", "mg/dL", 0.2, 4),
    ("alt", "U/L", 5, 300),
    ("hb", "g/dL", 6, 17),
    ("plt", "x10^9/L", 10, 450),
    ("anc", "x10^9/L", 0.1, 9),
    ("ldh", "U/L", 100, 900),
    ("alb", "g/L", 20, 50),
    ("lvef", "%", 25, 70),
    ("ca", "mmol/L", 1.8, 3.2),
    ("na", "mmol/L", 120, 150),
    ("k", "mmol/L", 2.8, 6),
]
SECTION_SIZE = 50


def vocabulary_size(n):
    """Agents and regimens each: a few hundred, growing with the rules."""
    return 100 + n // 100


def agents(rng, count):
    return [(f"ag{i}", rng.choice(CLASSES), rng.random() < 0.3) for i in range(count)]


def regimens(rng, agent_list, count):
    out = []
    for i in range(count):
        members = rng.sample([a for a, _, _ in agent_list], rng.randint(2, 4))
        klass = rng.choice(CLASSES) if rng.random() < 0.4 else None
        out.append((f"Rx-{i}", members, klass))
    return out


def header(n):
    return [
        f'// A synthetic protocol of {n} rules, written by scripts/gen-protocol.py',
        "// to measure how checking and evaluation scale. Not a clinical pathway.",
        "",
        f'protocol "Synthetic pathway, {n} rules" {{',
        '  version "1"',
        '  institution "Benchmark"',
        "  status approved",
        "  effective 2026-01-01",
        '  cite trial "A synthetic citation"',
        "}",
        "",
    ]


def vocabulary(agent_list, regimen_list):
    lines = []
    for name, klass, alias in agent_list:
        extra = f' alias "{name} brand"' if alias else ""
        lines.append(f"agent {name} class {klass}{extra}")
    for name, members, klass in regimen_list:
        extra = f" class {klass}" if klass else ""
        lines.append(f"regimen {name} = {' + '.join(members)}{extra}")
    lines += [
        "",
        f"enum Histology {{ {', '.join(HISTOLOGIES)} }}",
        f"enum Response {{ {' < '.join(RESPONSES)} }}",
        f"reasons {{ {', '.join(REASONS)} }}",
        "",
    ]
    return lines


def schema():
    lines = [
        "record Line {",
        "  `regimen`: regimen open",
        "  start_date: date",
        "  end_date: date? = none",
        "  best_response: Response",
        "  progression_date: date? = none",
        "}",
        "",
        "case {",
        "  age: int years",
        "  ecog: int 0..4",
        "  histology: Histology",
    ]
    lines += [f"  m{i}: bool" for i in range(FLAGS)]
    for name, unit, _, _ in LABS:
        lines.append(f"  {name}: number {unit}")
    lines += [
        "  crcl_series: series mL/min",
        "  lines: history of Line { start = start_date, end = end_date, event = progression_date,",
        "                           response = best_response responding {CR, PR} }",
        "}",
        "",
    ]
    return lines


def literal(rng, lab):
    name, unit, low, high = lab
    value = rng.uniform(low, high)
    shown = f"{value:.1f}" if high < 20 else f"{round(value)}"
    return name, f"{shown} {unit}"


def atom(rng, regimen_list, klasses):
    """One condition the generated case can decide."""
    kind = rng.randrange(10)
    if kind == 0:
        return f"m{rng.randrange(FLAGS)}"
    if kind == 1:
        return f"not m{rng.randrange(FLAGS)}"
    if kind == 2:
        name, value = literal(rng, rng.choice(LABS))
        return f"{name} {rng.choice(['<', '>=', '>'])} {value}"
    if kind == 3:
        return f"ecog {rng.choice(['<=', '>=', '<'])} {rng.randint(1, 3)}"
    if kind == 4:
        return f"age {rng.choice(['<', '>='])} {rng.randint(30, 80)} years"
    if kind == 5:
        chosen = rng.sample(HISTOLOGIES, rng.randint(1, 3))
        return f"histology in {{{', '.join(chosen)}}}"
    if kind == 6:
        return f"received {rng.choice(regimen_list)[0]}"
    if kind == 7:
        return f"refractory to {rng.choice(klasses)}"
    if kind == 8:
        return f"relapse after {rng.choice(regimen_list)[0]} within {rng.randint(6, 24)} months"
    return f"latest crcl_series within 30 days < {rng.randint(40, 90)} mL/min"


def defines(rng, n, regimen_list, klasses):
    count = max(10, n // 10)
    lines = []
    for i in range(count):
        parts = [atom(rng, regimen_list, klasses) for _ in range(rng.randint(1, 3))]
        joiner = rng.choice([" and ", " or "])
        lines.append(f"define d{i} = {joiner.join(parts)}")
    lines.append("")
    return lines, count


def condition(rng, i, define_count, regimen_list, klasses):
    # Each define is used: rule i reads define i % count; more atoms at random.
    parts = [f"d{i % define_count}"]
    for _ in range(rng.randint(0, 2)):
        parts.append(atom(rng, regimen_list, klasses))
    return " and ".join(parts)


def offer(rng, verb, regimen_list):
    chosen = [r[0] for r in rng.sample(regimen_list, rng.randint(1, 3))]
    rank = rng.choice([f"rank {rng.randint(1, 4)}", "unranked"])
    goal = rng.choice(GOALS)
    return f'{verb} {", ".join(chosen)} {rank} goal {goal} evidence "phase {rng.randint(1, 3)}"'


def avoid(rng, agent_list, regimen_list, klasses):
    what = rng.choice(
        [rng.choice(agent_list)[0], rng.choice(regimen_list)[0], rng.choice(klasses)]
    )
    code = rng.choice(REASONS)
    return f'avoid {what} code {code} because "{code.replace("_", " ")} risk"'


def action(rng, i, agent_list, regimen_list, klasses, define_count):
    kind = rng.randrange(10)
    if kind < 3:
        text = offer(rng, "recommend", regimen_list)
    elif kind == 3:
        text = offer(rng, "consider", regimen_list)
    elif kind < 6:
        text = avoid(rng, agent_list, regimen_list, klasses)
    elif kind == 6:
        text = f'flag f{i % 97} "review item {i}"'
    elif kind == 7:
        text = f'refer team{i % 13} "refer for item {i}"'
    elif kind == 8:
        text = f'order o{i % 31} "test before item {i}"'
    else:
        text = f'missing "assessment {i % 211}"'
    if rng.random() < 0.15:
        text += f" if d{rng.randrange(define_count)}"
    if rng.random() < 0.05:
        text += " cite [trial]"
    return text


def rule(rng, i, agent_list, regimen_list, klasses, define_count):
    actions = [
        action(rng, i, agent_list, regimen_list, klasses, define_count)
        for _ in range(rng.randint(1, 3))
    ]
    when = condition(rng, i, define_count, regimen_list, klasses)
    body = "\n       ".join(actions)
    return [f'rule r{i} "Rule {i}"', f"  when {when}", f"  then {body}"]


def rules(rng, n, agent_list, regimen_list, klasses, define_count):
    lines = []
    for start in range(0, n, SECTION_SIZE):
        guard = f"m{(start // SECTION_SIZE) % FLAGS} or ecog <= 3"
        lines.append(f'section "Block {start // SECTION_SIZE}" when {guard} {{')
        for i in range(start, min(n, start + SECTION_SIZE)):
            lines += ["  " + line for line in rule(rng, i, agent_list, regimen_list, klasses, define_count)]
        lines += ["}", ""]
    return lines


def protocol(n, seed):
    rng = random.Random(seed)
    size = vocabulary_size(n)
    agent_list = agents(rng, size)
    regimen_list = regimens(rng, agent_list, size)
    klasses = sorted({k for _, k, _ in agent_list})
    define_lines, define_count = defines(rng, n, regimen_list, klasses)
    lines = header(n) + vocabulary(agent_list, regimen_list) + schema() + define_lines
    lines += rules(rng, n, agent_list, regimen_list, klasses, define_count)
    return "\n".join(lines) + "\n", regimen_list


def day(date):
    return date.isoformat()


def case(rng, index, regimen_list):
    as_of = datetime.date(2026, 3, 1)
    record = {"id": f"case-{index}", "as_of": day(as_of), "age": rng.randint(25, 85),
              "ecog": rng.randint(0, 4), "histology": rng.choice(HISTOLOGIES)}
    for i in range(FLAGS):
        record[f"m{i}"] = rng.random() < 0.5
    for name, unit, low, high in LABS:
        record[name] = None if rng.random() < 0.03 else round(rng.uniform(low, high), 1)
    record["crcl_series"] = [
        {"date": day(as_of - datetime.timedelta(days=40 - 15 * k)),
         "value": rng.randint(30, 120), "unit": "mL/min"}
        for k in range(3)
    ]
    start = as_of - datetime.timedelta(days=900)
    history = []
    for _ in range(rng.randint(1, 3)):
        end = start + datetime.timedelta(days=rng.randint(60, 160))
        progression = end + datetime.timedelta(days=rng.randint(-30, 200))
        history.append({"regimen": rng.choice(regimen_list)[0], "start_date": day(start),
                        "end_date": day(end), "best_response": rng.choice(RESPONSES),
                        "progression_date": day(progression)})
        start = progression + datetime.timedelta(days=14)
    record["lines"] = history
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of rules")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", help="protocol file (default stdout)")
    parser.add_argument("--cases", help="write cases for the protocol to this file")
    parser.add_argument("--count", type=int, default=1, help="number of cases (default 1)")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("N must be at least 1")
    text, regimen_list = protocol(args.n, args.seed)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    if args.cases:
        rng = random.Random(args.seed + 1)
        with open(args.cases, "w", encoding="utf-8") as out:
            for index in range(args.count):
                out.write(json.dumps(case(rng, index, regimen_list)) + "\n")


if __name__ == "__main__":
    main()
