#!/usr/bin/env python3
"""Writes N synthetic cases for protocols/dlbcl-second-line.salv as JSON Lines.

    scripts/gen-cases.py [N] [--seed S] [-o FILE]     (default 1000 cases, seed 1, stdout)

The same N and seed always give a byte-identical file (Python 3 standard library
only, one seeded generator, fixed key order and number formatting). The cases
follow the protocol's `case` and `record Line` declarations and the shapes of
examples/dlbcl-cases.jsonl:

- as_of between 2026-01-05 and 2026-06-30 (the protocol is effective from 2026-01-01);
- age, ECOG, histology (mostly DLBCL, sometimes an alias such as "DLBCL, NOS"),
  transplant eligibility that follows age and ECOG, secondary CNS involvement;
- a mixed `labs` list, oldest first, of records with `test`, `collected`, `result` and
  `units`: one to three creatinine clearance records (mostly mL/min, some L/h; none in
  about 5% of cases) and zero to two records of other tests (haemoglobin, platelets, LDH);
- a history of one to four therapy lines, dated in order (start, end, progression,
  then the next line's start), each with a best response; the first line is
  usually R-CHOP or a variant, later lines platinum salvage, CAR-T, ASCT,
  non-transplant regimens or bispecifics;
- regimens written as a chart writes them: aliases ("RCHOP", "r chop", "RICE"),
  and now and then free text the vocabulary does not know ("R-CHOP x6",
  "rituximab + bendamustine"), which the protocol reports as unrecognised;
- about 5% of the values the rules read missing (an absent key or null), and a
  rare histology no enum value or alias matches (an error record).

A case is about 515 bytes on average. The cases are synthetic: no real patient.
"""

import argparse
import datetime
import json
import random
import sys

AS_OF_FIRST = datetime.date(2026, 1, 5)
AS_OF_DAYS = 176  # up to 2026-06-30

# (written histology, weight): canonical names, aliases, and one spelling no enum knows.
HISTOLOGIES = [
    ("DLBCL_NOS", 52),
    ("DLBCL, NOS", 12),
    ("HGBL_MYC_BCL2", 6),
    ("HGBL with MYC and BCL2 rearrangements", 1),
    ("HGBL_NOS", 5),
    ("TFL", 7),
    ("DLBCL transformed from follicular lymphoma", 1),
    ("THRLBCL", 3),
    ("PMBCL", 3),
    ("primary mediastinal B-cell lymphoma", 1),
    ("PCNSL", 3),
    ("DLBCL-GCB", 0.3),
]

RESPONSES = ["CR", "PR", "SD", "PD"]

# First-line regimens as charts write them. The free-text ones ("R-CHOP x6",
# "R-mini-CHOP") are not in the vocabulary.
FIRST_LINE = [
    ("R-CHOP", 48),
    ("RCHOP", 8),
    ("r chop", 3),
    ("R_CHOP", 2),
    ("Pola-R-CHP", 9),
    ("polatuzumab-R-CHP", 1),
    ("DA-EPOCH-R", 5),
    ("DA-R-EPOCH", 1),
    ("R-CHOEP", 4),
    ("R-CHOP x6", 2.5),
    ("R-mini-CHOP", 1.5),
    ("involved-site radiotherapy", 1.5),
    ("rituximab + bendamustine", 1),
]

# Second-line regimens, by whether the patient is a transplant candidate.
SECOND_LINE_FIT = [
    ("R-ICE", 14),
    ("RICE", 3),
    ("R-DHAP", 7),
    ("R-GDP", 6),
    ("GDP-R", 1),
    ("R-ESHAP", 1),
    ("R-DHAX", 1),
    ("axi-cel", 10),
    ("axicabtagene ciloleucel", 3),
    ("liso-cel", 6),
    ("R-ICE x3", 1),
]
SECOND_LINE_UNFIT = [
    ("Pola-BR", 8),
    ("pola-bendamustine-rituximab", 1),
    ("R-GemOx", 6),
    ("R-GEMOX", 1),
    ("tafasitamab-lenalidomide", 4),
    ("tafa-len", 1),
    ("liso-cel", 4),
    ("lisocabtagene maraleucel", 1),
    ("rituximab + bendamustine", 1),
]
# The line after platinum salvage: consolidation, or CAR-T when it failed.
THIRD_LINE = [
    ("BEAM-ASCT", 10),
    ("ASCT", 6),
    ("axi-cel", 6),
    ("tisa-cel", 3),
    ("tisagenlecleucel", 1),
    ("liso-cel", 3),
    ("Pola-BR", 2),
    ("clinical-trial", 1),
]
LATER_LINE = [
    ("glofitamab-monotherapy", 4),
    ("glofit", 1),
    ("epcoritamab-monotherapy", 3),
    ("epcor", 1),
    ("loncastuximab-monotherapy", 2),
    ("lonca", 1),
    ("clinical-trial", 2),
    ("glofitamab weekly", 0.5),
]

# Other lab tests in the labs list: (test, units, mean, standard deviation,
# decimal places), weight.
OTHER_TESTS = [
    (("haemoglobin", "g/dL", 11.8, 1.8, 1), 5),
    (("platelets", "10^9/L", 215, 70, None), 4),
    (("ldh", "U/L", 310, 120, None), 3),
]

MISSING_RATE = 0.05


def choose(rng, weighted):
    """One value of a list of (value, weight) pairs."""
    values = [value for value, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(values, weights)[0]


def day(date):
    """A date as the case files write it."""
    return date.isoformat()


def maybe_missing(rng, case, key):
    """Drops a key (absent) or nulls it, for about MISSING_RATE of the values."""
    if rng.random() < MISSING_RATE:
        if rng.random() < 0.5:
            del case[key]
        else:
            case[key] = None


def ecog_of(rng, age):
    """ECOG performance status, worse with age."""
    weights = [30, 40, 18, 9, 3] if age < 70 else [14, 36, 28, 16, 6]
    return rng.choices(range(5), weights)[0]


def transplant_candidate(rng, age, ecog):
    """Transplant eligibility as a tumour board would judge it from age and ECOG."""
    if age >= 76 or ecog >= 3:
        return rng.random() < 0.03
    if age >= 70:
        return rng.random() < 0.3
    return rng.random() < (0.9 if ecog <= 1 else 0.55)


def clearance_records(rng, as_of, age):
    """One to three creatinine clearance records, oldest first, the last one usually recent."""
    expected = max(15.0, 150.0 - age + rng.gauss(0, 18))
    count = rng.choices([1, 2, 3], [84, 14, 2])[0]
    offsets = sorted((rng.randint(1, 120) for _ in range(count)), reverse=True)
    if rng.random() < 0.8:
        offsets[-1] = rng.randint(1, 25)
        offsets = sorted(set(offsets), reverse=True)
    records = []
    for offset in offsets:
        value = max(8.0, expected + rng.gauss(0, 6))
        if rng.random() < 0.12:
            result, units = round(value * 0.06, 2), "L/h"
        else:
            result, units = round(value), "mL/min"
        records.append(lab_record("creatinine_clearance", as_of, offset, result, units))
    return records


def other_records(rng, as_of):
    """Zero to two records of other tests, which the protocol does not read."""
    count = rng.choices([0, 1, 2], [60, 32, 8])[0]
    records = []
    for _ in range(count):
        test, units, mean, sd, places = choose(rng, OTHER_TESTS)
        result = round(max(0.0, rng.gauss(mean, sd)), places)
        records.append(lab_record(test, as_of, rng.randint(1, 60), result, units))
    return records


def lab_record(test, as_of, offset, result, units):
    """One record of the mixed labs list, collected `offset` days before as_of."""
    return {"test": test, "collected": day(as_of - datetime.timedelta(days=offset)),
            "result": result, "units": units}


def labs(rng, as_of, age, clearance_missing):
    """The mixed labs list, oldest first: the clearance records (none when
    `clearance_missing`) and some other tests."""
    clearances = clearance_records(rng, as_of, age)
    records = other_records(rng, as_of) + ([] if clearance_missing else clearances)
    return sorted(records, key=lambda record: record["collected"])


def line_count(rng):
    """How many lines of therapy a referred patient has had."""
    return rng.choices([1, 2, 3, 4], [62, 27, 8, 3])[0]


def regimens(rng, count, fit):
    """The regimens of each line, first line first."""
    chosen = [choose(rng, FIRST_LINE)]
    if count >= 2:
        chosen.append(choose(rng, SECOND_LINE_FIT if fit else SECOND_LINE_UNFIT))
    if count >= 3:
        chosen.append(choose(rng, THIRD_LINE))
    while len(chosen) < count:
        chosen.append(choose(rng, LATER_LINE))
    return chosen


def course_days(regimen, first):
    """How long a regimen usually runs, in days: six 21-day cycles of first-line
    immunochemotherapy, two or three cycles of salvage, a week for a cell
    infusion or a transplant."""
    text = regimen.lower()
    if "asct" in text or text.endswith("cel"):
        return 7
    return 126 if first else 63


def line_outcome(rng, start, end, last):
    """Best response and progression date of one line (PD: progression during it)."""
    response = rng.choices(RESPONSES, [55, 17, 10, 18] if last else [48, 18, 12, 22])[0]
    if response == "PD":
        during = rng.randint(20, max(21, (end - start).days))
        return response, start + datetime.timedelta(days=during)
    if last and rng.random() < 0.22:
        return response, None
    months = rng.choices([2, 5, 9, 11, 13, 18, 30], [14, 16, 14, 10, 10, 16, 20])[0]
    progression = end + datetime.timedelta(days=months * 30 + rng.randint(-12, 12))
    return response, progression


def history(rng, as_of, fit):
    """A history of one to four lines with dates in order, ending before as_of."""
    count = line_count(rng)
    names = regimens(rng, count, fit)
    plans = []
    for index, regimen in enumerate(names):
        start = datetime.date(2000, 1, 1) if index == 0 else plans[-1]["next"]
        days = course_days(regimen, index == 0) + rng.randint(-7, 14)
        end = start + datetime.timedelta(days=days)
        response, progression = line_outcome(rng, start, end, index == count - 1)
        anchor = max(end, progression or end)
        plans.append({"regimen": regimen, "start": start, "end": end,
                      "response": response, "progression": progression,
                      "next": anchor + datetime.timedelta(days=rng.randint(10, 40))})
    moved = shift(rng, plans[-1], as_of)
    return [line_record(rng, plan, moved, as_of) for plan in plans]


def shift(rng, final, as_of):
    """How far to move a history drawn from 2000 so that it ends just before as_of:
    its last event a few weeks before, or, for some lines without progression,
    as_of during the last course (a line still ongoing)."""
    if final["progression"] is None and rng.random() < 0.3:
        into = rng.randint(1, max(1, (final["end"] - final["start"]).days))
        return as_of - datetime.timedelta(days=into) - final["start"]
    last = max(final["end"], final["progression"] or final["end"])
    return as_of - datetime.timedelta(days=rng.randint(5, 60)) - last


def line_record(rng, plan, shift, as_of):
    """One history line as JSON: dates shifted into place, an ongoing line has no end."""
    end = plan["end"] + shift
    record = {
        "regimen": plan["regimen"],
        "start_date": day(plan["start"] + shift),
        "end_date": day(end) if end < as_of else None,
        "best_response": plan["response"],
        "progression_date": day(plan["progression"] + shift) if plan["progression"] else None,
    }
    maybe_missing(rng, record, "best_response")
    if record["end_date"] is not None and rng.random() < MISSING_RATE:
        del record["end_date"]
    return record


def case(rng, index):
    """One case, keys in the order of the example cases."""
    as_of = AS_OF_FIRST + datetime.timedelta(days=rng.randrange(AS_OF_DAYS))
    age = min(92, max(19, round(rng.gauss(64, 13))))
    ecog = ecog_of(rng, age)
    fit = transplant_candidate(rng, age, ecog)
    record = {
        "id": f"gen-{index:07d}",
        "as_of": day(as_of),
        "age": age,
        "ecog": ecog,
        "histology": choose(rng, HISTOLOGIES),
        "transplant_eligible": fit,
        "cns_involvement": rng.random() < 0.06,
        "labs": labs(rng, as_of, age, rng.random() < MISSING_RATE),
        "lines": history(rng, as_of, fit),
    }
    for key in ("age", "ecog", "transplant_eligible", "cns_involvement"):
        maybe_missing(rng, record, key)
    return record


def main():
    """Parses the arguments and writes the cases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000, help="number of cases")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--out", default="-", help="output file, - for stdout")
    args = parser.parse_args()
    if args.count < 0:
        parser.error("the number of cases cannot be negative")
    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    try:
        for index in range(1, args.count + 1):
            out.write(json.dumps(case(rng, index), ensure_ascii=False) + "\n")
    except BrokenPipeError:
        sys.stderr.close()
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
