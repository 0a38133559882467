//! The GitHub Action's scripts (`scripts/changed-files`, `scripts/action-run`), run against
//! a temporary git repository the way the runner runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch git repository whose second commit changes some files, like a pull request.
struct Repo {
    dir: PathBuf,
    base: String,
    head: String,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
    std::fs::write(path, text).expect("write");
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).expect("fixture")
}

fn repo(name: &str) -> Repo {
    let dir = std::env::temp_dir().join(format!("ecslint-action-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    git(&dir, &["init", "-q"]);
    let firing = fixture("testdata/ECS002/fires/strategy-launch-template.yaml");
    write(&dir, "infra/old.yaml", &firing);
    write(&dir, "infra/gone.yaml", &firing);
    write(&dir, "infra/edited.yaml", "Resources: {}\n");
    write(&dir, "notes.md", "a\n");
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-qm", "base"]);
    let base = git(&dir, &["rev-parse", "HEAD"]);
    write(&dir, "infra/edited.yaml", &firing);
    write(&dir, "infra/new stack.json", "{\"Resources\": {}}\n");
    write(&dir, "notes.md", "b\n");
    git(&dir, &["rm", "-q", "infra/gone.yaml"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-qm", "change"]);
    let head = git(&dir, &["rev-parse", "HEAD"]);
    // A plan an earlier step wrote: untracked, so never in the diff.
    write(&dir, "plan.json", "{}\n");
    Repo { dir, base, head }
}

fn changed_files(repo: &Repo, cwd: &Path, paths: &[&str]) -> Output {
    Command::new("bash")
        .arg(root().join("scripts/changed-files"))
        .args([&repo.base, &repo.head])
        .args(paths)
        .current_dir(cwd)
        .output()
        .expect("bash runs")
}

fn lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn changed_files_lists_the_templates_a_pull_request_changed() {
    let r = repo("changed");
    let out = changed_files(&r, &r.dir, &[".", "plan.json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not the unchanged, the deleted or the non-template files; the untracked plan is in.
    assert_eq!(
        lines(&out),
        ["infra/edited.yaml", "infra/new stack.json", "plan.json"]
    );

    // Below the given paths only, relative to the working directory.
    let out = changed_files(&r, &r.dir.join("infra"), &[]);
    assert_eq!(lines(&out), ["edited.yaml", "new stack.json"]);
    let out = changed_files(&r, &r.dir, &["notes.md"]);
    assert_eq!((out.status.code(), lines(&out)), (Some(0), vec![]));

    // A commit that is not there (and cannot be fetched): exit 3, lint the paths instead.
    let missing = Command::new("bash")
        .arg(root().join("scripts/changed-files"))
        .args(["0123456789abcdef0123456789abcdef01234567", &r.head])
        .current_dir(&r.dir)
        .output()
        .expect("bash runs");
    assert_eq!(missing.status.code(), Some(3));
    let _ = std::fs::remove_dir_all(&r.dir);
}

/// What one Action step leaves: exit code, stdout, `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`.
struct Step {
    code: Option<i32>,
    stdout: String,
    outputs: String,
    summary: String,
}

fn action_run(r: &Repo, env: &[(&str, &str)]) -> Step {
    let output = r.dir.join("github-output");
    let summary = r.dir.join("github-summary");
    let _ = std::fs::remove_file(&output);
    let _ = std::fs::remove_file(&summary);
    let bin = Path::new(env!("CARGO_BIN_EXE_ecslint"))
        .parent()
        .expect("bin dir");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg(root().join("scripts/action-run"))
        .current_dir(&r.dir)
        .env("PATH", path)
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("BASE_SHA", &r.base)
        .env("HEAD_SHA", &r.head)
        .envs(env.iter().copied())
        .output()
        .expect("bash runs");
    Step {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        outputs: std::fs::read_to_string(&output).unwrap_or_default(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

fn has_jq() -> bool {
    Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_action_lints_what_a_pull_request_changed_in_one_run() {
    let r = repo("run");
    let step = action_run(
        &r,
        &[("EVENT_NAME", "pull_request"), ("ECSLINT_PATHS", "infra")],
    );
    // One finding, in the edited file only: infra/old.yaml fires too but did not change.
    assert_eq!(step.code, Some(1), "{}", step.stdout);
    let annotations: Vec<&str> = step
        .stdout
        .lines()
        .filter(|l| l.starts_with("::"))
        .collect();
    assert_eq!(annotations.len(), 1, "{}", step.stdout);
    assert!(annotations[0].starts_with("::warning file=infra/edited.yaml,"));
    let sarif = std::fs::read_to_string(r.dir.join("ecslint.sarif")).expect("SARIF written");
    assert!(sarif.contains("\"uri\": \"infra/edited.yaml\""));
    assert!(!sarif.contains("old.yaml"));
    assert!(step.outputs.contains("exit-code=1\n"));
    if has_jq() {
        assert!(
            step.outputs.contains("findings=1\nerrors=0\n"),
            "{}",
            step.outputs
        );
        assert!(
            step.summary
                .contains("| warning | ECS002 | infra/edited.yaml | 111 |"),
            "{}",
            step.summary
        );
    }

    // On a push, or with changed-only off, all of the paths; fail-level never passes.
    let step = action_run(
        &r,
        &[
            ("EVENT_NAME", "push"),
            ("ECSLINT_PATHS", "infra"),
            ("ECSLINT_FAIL_LEVEL", "never"),
        ],
    );
    assert_eq!(step.code, Some(0), "{}", step.stdout);
    assert_eq!(
        step.stdout
            .lines()
            .filter(|l| l.starts_with("::warning"))
            .count(),
        2
    );
    if has_jq() {
        assert!(step.outputs.contains("findings=2\n"), "{}", step.outputs);
    }

    // Bad input is exit 2, not hidden: the step fails with it and says so.
    write(&r.dir, "infra/broken.yaml", "Resources:\n  A: [\n");
    let step = action_run(
        &r,
        &[
            ("EVENT_NAME", "push"),
            ("ECSLINT_PATHS", "infra/broken.yaml"),
        ],
    );
    assert_eq!(step.code, Some(2), "{}", step.stdout);
    assert!(step.outputs.contains("exit-code=2\n"));
    if has_jq() {
        assert!(
            step.outputs.contains("findings=0\nerrors=1\n"),
            "{}",
            step.outputs
        );
        assert!(step.summary.contains("bad input"), "{}", step.summary);
    }

    // A pull request that changed no template: a clean run and a valid, empty log.
    let step = action_run(
        &r,
        &[
            ("EVENT_NAME", "pull_request"),
            ("ECSLINT_PATHS", "notes.md"),
            ("ECSLINT_ARGS", "--select ECS002"),
        ],
    );
    assert_eq!(step.code, Some(0), "{}", step.stdout);
    let sarif = std::fs::read_to_string(r.dir.join("ecslint.sarif")).expect("SARIF written");
    assert!(sarif.contains("\"results\": []"));
    let _ = std::fs::remove_dir_all(&r.dir);
}

/// A pull request as actions/checkout leaves it: a shallow clone of the merge commit. A file
/// changed on the base branch after the pull request branched off is not the pull
/// request's change, and is not linted.
#[test]
fn the_action_diffs_the_merge_commit_of_a_shallow_checkout() {
    let upstream = repo("merge-upstream");
    let d = &upstream.dir;
    let firing = fixture("testdata/ECS002/fires/strategy-launch-template.yaml");
    // The pull request's branch is `head`; the base branch moves on and changes old.yaml.
    git(d, &["checkout", "-q", "-b", "base", &upstream.base]);
    write(
        d,
        "infra/old.yaml",
        &format!("{firing}\n# edited on the base branch\n"),
    );
    git(d, &["commit", "-qam", "base moves on"]);
    let base = git(d, &["rev-parse", "HEAD"]);
    git(d, &["merge", "-q", "--no-ff", "--no-edit", &upstream.head]);
    let merge = git(d, &["rev-parse", "HEAD"]);

    let clone_dir = d.with_file_name(format!("ecslint-action-merge-clone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&clone_dir);
    let url = format!("file://{}", d.display());
    let parent = clone_dir.parent().expect("temp dir");
    git(
        parent,
        &[
            "clone",
            "-q",
            "--depth=1",
            "--branch=base",
            &url,
            &clone_dir.to_string_lossy(),
        ],
    );
    assert_eq!(git(&clone_dir, &["rev-parse", "HEAD"]), merge);
    let pr = Repo {
        dir: clone_dir.clone(),
        base,
        head: upstream.head.clone(),
    };
    let step = action_run(
        &pr,
        &[("EVENT_NAME", "pull_request"), ("ECSLINT_PATHS", "infra")],
    );
    assert_eq!(step.code, Some(1), "{}", step.stdout);
    let annotated: Vec<&str> = step
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("::warning file="))
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(annotated, ["infra/edited.yaml"], "{}", step.stdout);
    let _ = std::fs::remove_dir_all(&clone_dir);
    let _ = std::fs::remove_dir_all(d);
}
