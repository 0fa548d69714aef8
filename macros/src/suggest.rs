//! "Did you mean" suggestions, and the one shape every "unknown ..." message of the macros
//! takes: "unknown argument `modle`; did you mean `model`? expected one of `provider`, ...".

/// "unknown {what} `{name}`", then the nearest `candidates` as a suggestion, then the list of
/// what is `expected` when there is one.
pub(crate) fn unknown<'a>(
    what: &str,
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    expected: Option<&[&str]>,
) -> String {
    let mut message = format!("unknown {what} `{name}`");
    let nearest = nearest(name, candidates);
    match nearest.as_slice() {
        [] => {}
        [one] => message = format!("{message}; did you mean `{one}`?"),
        many => message = format!("{message}; did you mean one of {}?", list(many)),
    }
    if let Some(expected) = expected {
        message = then(message, &format!("expected one of {}", list(expected)));
    }
    message
}

/// `message` followed by `more`: after "; " or, when `message` ends with a question, a space.
pub(crate) fn then(mut message: String, more: &str) -> String {
    message.push_str(if message.ends_with('?') { " " } else { "; " });
    message.push_str(more);
    message
}

/// "`a`, `b`, `c`".
pub(crate) fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidates nearest to `name` by case-insensitive edit distance: at most three, sorted
/// nearest first (ties alphabetically), no further than a third of `name`'s length (at least
/// 2 edits), and no more than one edit further than the nearest one, so a clear match is
/// suggested alone.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let name_chars: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    let cutoff = (name_chars.len() / 3).max(2);
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .filter_map(|candidate| {
            let candidate_chars: Vec<char> =
                candidate.chars().flat_map(char::to_lowercase).collect();
            let distance = levenshtein(&name_chars, &candidate_chars);
            (distance <= cutoff).then_some((distance, candidate))
        })
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.1 == b.1);
    let best = scored.first().map_or(0, |&(distance, _)| distance);
    scored
        .into_iter()
        .take_while(|&(distance, _)| distance <= best + 1)
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

/// The Levenshtein distance: insertions, deletions and substitutions each cost one.
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str) -> usize {
        levenshtein(
            &a.chars().collect::<Vec<_>>(),
            &b.chars().collect::<Vec<_>>(),
        )
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("MODLE", "MODEL"), 2);
    }

    #[test]
    fn nearest_keeps_close_ties_only() {
        assert_eq!(
            nearest("colour", ["color", "colors", "flavour", "collar"]),
            ["color", "collar", "colors"]
        );
        assert_eq!(
            nearest("abcdefghij", ["abcdefgxyz", "abcdefghij_"]),
            ["abcdefghij_"]
        );
        assert_eq!(nearest("a", ["b", "c", "d", "e"]), ["b", "c", "d"]);
        assert!(nearest("same", ["same"]).is_empty());
    }

    #[test]
    fn messages_have_one_shape() {
        let expected: &[&str] = &["model", "provider"];
        assert_eq!(
            unknown(
                "argument",
                "modle",
                expected.iter().copied(),
                Some(expected)
            ),
            "unknown argument `modle`; did you mean `model`? expected one of `model`, `provider`"
        );
        assert_eq!(
            unknown("argument", "zzz", expected.iter().copied(), Some(expected)),
            "unknown argument `zzz`; expected one of `model`, `provider`"
        );
        assert_eq!(unknown("key", "zzz", ["a"], None), "unknown key `zzz`");
    }
}
