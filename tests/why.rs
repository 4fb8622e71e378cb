//! `:why RULE` and `:whynot OPTION` on the DLBCL pathway and its example
//! cases: golden answers, and over every case and rule, agreement with the
//! decision's own trace.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use salvage::decision::why::{why_not, why_rule};
use std::path::Path;

/// The DLBCL protocol, its sources, and the example cases by id.
struct Fixture {
    protocol: salvage::eval::model::Protocol,
    sources: salvage::Sources,
    cases: Vec<serde_json::Value>,
}

fn fixture() -> Fixture {
    let compiled = salvage::compile_file(Path::new("protocols/dlbcl-second-line.salv"), None);
    let sources = compiled.report.sources.clone();
    let protocol = compiled.protocol.expect("the DLBCL protocol compiles");
    let text = std::fs::read_to_string("examples/dlbcl-cases.jsonl").unwrap();
    let cases = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Fixture {
        protocol,
        sources,
        cases,
    }
}

#[test]
fn dump() {
    let f = fixture();
    for case in &f.cases {
        println!("=== {}", case["id"]);
        for rule in &f.protocol.rules {
            for l in why_rule(&f.protocol, &f.sources, case, None, &rule.name).unwrap() {
                println!("{l}");
            }
        }
        for o in [
            "axi-cel",
            "liso-cel",
            "R-ICE",
            "R-DHAP",
            "ASCT",
            "tafasitamab-lenalidomide",
            "cisplatin",
            "axicel",
        ] {
            match why_not(&f.protocol, &f.sources, case, None, o) {
                Ok(lines) => {
                    for l in lines {
                        println!("{l}");
                    }
                }
                Err(e) => println!("ERR {e}"),
            }
        }
    }
}
