//! The comment scan behind `# ecslint: ignore[...]` against the real-world corpus
//! (`../shared/corpus`): blanking the text of every comment it finds (after the `#`, which
//! stays, so a line of spaces cannot become block-scalar content) must leave each YAML
//! document as it was, so nothing it takes for a comment is part of a value.

use std::path::{Path, PathBuf};

use ecslint::comments;
use ecslint::load::yaml;
use ecslint::source::SourceFile;

fn corpus_files() -> Option<Vec<PathBuf>> {
    // The corpus build.rs found (`../shared/corpus` or ECSLINT_CORPUS).
    let dir = Path::new(option_env!("ECSLINT_CORPUS_DIR")?).join("cfn");
    if !dir.is_dir() {
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "template")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Some(out)
}

#[test]
#[cfg_attr(
    not(ecslint_corpus),
    ignore = "needs the corpus: ../shared/corpus or ECSLINT_CORPUS=DIR"
)]
fn blanking_the_comments_found_changes_no_corpus_document() {
    let files = corpus_files().expect("build.rs found the corpus, with its cfn/ directory");
    let (mut checked, mut found) = (0, 0);
    let mut changed = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Ok(before) = yaml::parse(&SourceFile::new("t.yaml", text.clone())) else {
            continue;
        };
        let scan = comments::scan(&text);
        let mut blanked = text.clone().into_bytes();
        for c in &scan.comments {
            blanked[c.span.start + 1..c.span.end].fill(b' ');
        }
        // Same byte length, so every byte span stays where it was.
        let blanked = String::from_utf8(blanked).expect("comments blanked whole");
        let after = yaml::parse(&SourceFile::new("t.yaml", blanked));
        checked += 1;
        found += scan.comments.len();
        if after.ok().map(|a| a.root).as_ref() != Some(&before.root) {
            let culprit = scan.comments.iter().find(|c| {
                let mut one = text.clone().into_bytes();
                one[c.span.start + 1..c.span.end].fill(b' ');
                let one = String::from_utf8(one).unwrap_or_default();
                yaml::parse(&SourceFile::new("t.yaml", one))
                    .ok()
                    .map(|a| a.root)
                    != Some(before.root.clone())
            });
            let where_ = culprit
                .map(|c| {
                    format!(
                        "{}: {}",
                        c.line,
                        text.lines().nth(c.line - 1).unwrap_or_default().trim()
                    )
                })
                .unwrap_or_default();
            changed.push(format!("{} line {where_}", f.display()));
        }
    }
    eprintln!("{checked} YAML files, {found} comments found");
    assert!(checked > 1000, "{checked}");
    assert!(
        changed.is_empty(),
        "{} changed: {:?}",
        changed.len(),
        &changed[..changed.len().min(10)]
    );
}
