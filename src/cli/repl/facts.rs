//! `:set` and `:unset` on the case's JSON: a fact is a top-level key
//! (`ecog`) or an RFC 6901 JSON Pointer (`/lines/0/best_response`).

use serde_json::{Map, Value};

/// Sets the fact at `fact` to `value`, making the objects (or, before an
/// index, the arrays) on the way; `-` or the length of an array appends.
pub fn set_fact(case: &mut Value, fact: &str, value: Value) -> Result<(), String> {
    let tokens = tokens(fact)?;
    let Some((last, parents)) = tokens.split_last() else {
        return Err("`/` names the whole case: `:case FILE` replaces it".to_string());
    };
    let mut here = case;
    for (at, token) in parents.iter().enumerate() {
        let next_is_index = tokens
            .get(at + 1)
            .is_some_and(|next| next == "-" || next.parse::<usize>().is_ok());
        let empty = match next_is_index {
            true => Value::Array(Vec::new()),
            false => Value::Object(Map::new()),
        };
        here = child(here, token, empty, fact)?;
    }
    put(here, last, value, fact)
}

/// Removes the fact at `fact`; whether it was there.
pub fn remove_fact(case: &mut Value, fact: &str) -> Result<bool, String> {
    let tokens = tokens(fact)?;
    let Some((last, parents)) = tokens.split_last() else {
        return Err("`/` names the whole case".to_string());
    };
    let mut here = case;
    for token in parents {
        let next = match here {
            Value::Object(map) => map.get_mut(token.as_str()),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
        match next {
            Some(next) => here = next,
            None => return Ok(false),
        }
    }
    Ok(match here {
        Value::Object(map) => map.shift_remove(last.as_str()).is_some(),
        Value::Array(items) => match last.parse::<usize>() {
            Ok(index) if index < items.len() => {
                items.remove(index);
                true
            }
            _ => false,
        },
        _ => false,
    })
}

/// A fact's path: one key, or a pointer's unescaped tokens.
fn tokens(fact: &str) -> Result<Vec<String>, String> {
    let Some(pointer) = fact.strip_prefix('/') else {
        return Ok(vec![fact.to_string()]);
    };
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    pointer
        .split('/')
        .map(|token| match token.replace("~1", "/").replace("~0", "~") {
            unescaped if token.contains('~') && !valid_escapes(token) => Err(format!(
                "`{fact}`: `~` in a JSON Pointer is `~0`, `/` is `~1` ({unescaped})"
            )),
            unescaped => Ok(unescaped),
        })
        .collect()
}

fn valid_escapes(token: &str) -> bool {
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

/// The child `token` of `here`, made as `empty` when absent.
fn child<'v>(
    here: &'v mut Value,
    token: &str,
    empty: Value,
    fact: &str,
) -> Result<&'v mut Value, String> {
    match here {
        Value::Object(map) => Ok(map.entry(token.to_string()).or_insert(empty)),
        Value::Array(items) => {
            let index = index(items.len(), token, fact)?;
            if index == items.len() {
                items.push(empty);
            }
            items
                .get_mut(index)
                .ok_or_else(|| format!("`{fact}`: no element {token}"))
        }
        other => Err(format!(
            "`{fact}`: `{token}` is inside a {}, which has no parts",
            kind(other)
        )),
    }
}

/// Puts `value` at `token` of `here`.
fn put(here: &mut Value, token: &str, value: Value, fact: &str) -> Result<(), String> {
    match here {
        Value::Object(map) => {
            map.insert(token.to_string(), value);
            Ok(())
        }
        Value::Array(items) => {
            let index = index(items.len(), token, fact)?;
            match items.get_mut(index) {
                Some(slot) => *slot = value,
                None => items.push(value),
            }
            Ok(())
        }
        other => Err(format!(
            "`{fact}`: `{token}` is inside a {}, which has no parts",
            kind(other)
        )),
    }
}

/// An array index token: a number up to the length (which appends), or `-`.
fn index(len: usize, token: &str, fact: &str) -> Result<usize, String> {
    match token {
        "-" => Ok(len),
        number => match number.parse::<usize>() {
            Ok(index) if index <= len => Ok(index),
            Ok(_) => Err(format!(
                "`{fact}`: the list has {len} elements; `{token}` is past its end (`-` appends)"
            )),
            Err(_) => Err(format!("`{fact}`: `{token}` is not an index of a list")),
        },
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "text",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_key_or_a_pointer_sets_a_fact_making_what_is_on_the_way() {
        let mut case = json!({"id": "c-1"});
        assert_eq!(set_fact(&mut case, "ecog", json!(2)), Ok(()));
        assert_eq!(
            set_fact(&mut case, "/lines/0/regimen", json!("R-CHOP")),
            Ok(())
        );
        assert_eq!(
            set_fact(&mut case, "/lines/-/regimen", json!("R-ICE")),
            Ok(())
        );
        assert_eq!(
            set_fact(&mut case, "/lines/0/best_response", json!("PR")),
            Ok(())
        );
        assert_eq!(
            case,
            json!({"id": "c-1", "ecog": 2, "lines": [
                {"regimen": "R-CHOP", "best_response": "PR"}, {"regimen": "R-ICE"}]})
        );
    }

    #[test]
    fn a_pointer_past_the_end_or_into_a_number_is_refused() {
        let mut case = json!({"ecog": 2, "lines": []});
        assert!(set_fact(&mut case, "/lines/3/regimen", json!("x")).is_err());
        assert!(set_fact(&mut case, "/ecog/x", json!(1)).is_err());
        assert!(set_fact(&mut case, "/", json!(1)).is_err());
        assert!(set_fact(&mut case, "/a~2b", json!(1)).is_err());
        assert_eq!(case, json!({"ecog": 2, "lines": []}));
    }

    #[test]
    fn escapes_name_keys_with_slashes_and_tildes() {
        let mut case = json!({});
        assert_eq!(set_fact(&mut case, "/a~1b~0c", json!(true)), Ok(()));
        assert_eq!(case, json!({"a/b~c": true}));
    }

    #[test]
    fn unset_removes_a_key_or_an_element_and_says_whether_it_was_there() {
        let mut case = json!({"ecog": 2, "lines": [{"regimen": "A"}, {"regimen": "B"}]});
        assert_eq!(remove_fact(&mut case, "ecog"), Ok(true));
        assert_eq!(remove_fact(&mut case, "ecog"), Ok(false));
        assert_eq!(remove_fact(&mut case, "/lines/0"), Ok(true));
        assert_eq!(remove_fact(&mut case, "/lines/5/regimen"), Ok(false));
        assert_eq!(case, json!({"lines": [{"regimen": "B"}]}));
    }
}
