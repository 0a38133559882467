//! Inputs that used to be skipped or misreported without a word: YAML merge keys, duplicate
//! keys, multi-document files, symlinks, devices and pipes, files that are not templates,
//! misspelt resource types. The built binary is run on the cases in `testdata/load/`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn ecslint(args: &[&str]) -> Run {
    ecslint_in(env!("CARGO_MANIFEST_DIR"), args)
}

fn ecslint_in(dir: impl AsRef<Path>, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ecslint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the ecslint binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(args: &[&str]) -> (i32, Value) {
    json_in(env!("CARGO_MANIFEST_DIR"), args)
}

fn json_in(dir: impl AsRef<Path>, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = ecslint_in(dir, &all);
    let doc = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run.code, doc)
}

/// (code, resource, line, column) of every finding.
fn findings(doc: &Value) -> Vec<(String, String, u64, u64)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn errors(doc: &Value) -> &Vec<Value> {
    doc["errors"].as_array().expect("errors")
}

/// A scratch directory of the test's own, emptied first.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn f(code: &str, resource: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (code.to_string(), resource.to_string(), line, column)
}

#[test]
fn merged_resources_are_linted_and_the_merge_key_is_a_warning() {
    let (code, doc) = json(&["testdata/load/merge-keys.yaml"]);
    assert_eq!(code, 1, "{doc}");
    assert!(errors(&doc).is_empty(), "{doc}");
    // LargeInstances gets its type and properties through `<<`: it is linted, and the finding
    // points where the merged type is written.
    assert_eq!(
        findings(&doc),
        [
            f("ECS004", "LargeInstances", 17, 11),
            f("ECS004", "SmallInstances", 17, 11),
            f("ECS902", "", 28, 5),
            f("ECS902", "", 30, 7),
        ]
    );
    assert_eq!(doc["findings"][2]["severity"], "warning");
    // Warnings never make exit 2: `--fail-level` decides.
    let only_warnings = ["--ignore", "ECS004", "testdata/load/merge-keys.yaml"];
    assert_eq!(json(&only_warnings).0, 1);
    let mut at_error = vec!["--fail-level", "error"];
    at_error.extend(only_warnings);
    assert_eq!(ecslint(&at_error).code, 0);
}

#[test]
fn a_duplicate_key_is_a_located_error_and_the_file_is_still_linted() {
    let file = "testdata/load/duplicate-key.yaml";
    let (code, doc) = json(&[file]);
    assert_eq!(code, 1, "{doc}");
    assert!(errors(&doc).is_empty(), "{doc}");
    assert_eq!(
        findings(&doc),
        [f("ECS004", "Instances", 16, 11), f("ECS901", "", 20, 7)]
    );
    let dup = &doc["findings"][1];
    assert_eq!(dup["severity"], "error");
    let message = dup["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("duplicate key `InstanceType`"),
        "{message}"
    );
    assert!(message.contains("line 19"), "{message}");

    let github = ecslint(&["--format", "github", file]);
    assert!(!github.stdout.contains("cannot lint"), "{}", github.stdout);
    assert!(
        github.stdout.contains(&format!(
            "::error file={file},line=20,col=7,endLine=20,endColumn=19,title=ECS901 duplicate-key::"
        )),
        "{}",
        github.stdout
    );
    let sarif: Value =
        serde_json::from_str(&ecslint(&["--format", "sarif", file]).stdout).expect("SARIF");
    let run = &sarif["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true, "{run}");
    let results = run["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "ECS901" && r["level"] == "error"),
        "{run}"
    );
    let human = ecslint(&[file]);
    assert!(human.stdout.contains("ECS901"), "{}", human.stdout);
    assert!(
        human.stdout.contains("2 errors in 1 file (1 checked)"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("file error"), "{}", human.stdout);
}

#[test]
fn every_template_of_a_multi_document_file_is_linted_and_named() {
    let (code, doc) = json(&["testdata/load/multi-document.yaml"]);
    assert_eq!(code, 1, "{doc}");
    // Document 1 is a Kubernetes object, document 3 a clean template; positions are the file's.
    assert_eq!(findings(&doc), [f("ECS004", "Instances", 25, 11)]);
    let message = doc["findings"][0]["message"].as_str().unwrap_or_default();
    assert!(message.ends_with("(document 2)"), "{message}");
    // Separators around a single document do not number it.
    let (_, doc) = json(&["testdata/load/trailing-separator.yaml"]);
    assert_eq!(findings(&doc), [f("ECS004", "Instances", 17, 11)]);
    let message = doc["findings"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("document"), "{message}");
    let human = ecslint(&["testdata/load/multi-document.yaml"]);
    assert!(
        human.stdout.contains("1 error in 1 file (1 checked)"),
        "{}",
        human.stdout
    );
}

/// The files with findings, in order, without repeats.
fn files(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in doc["findings"].as_array().expect("findings") {
        let file = f["file"].as_str().unwrap_or_default().to_string();
        if !out.contains(&file) {
            out.push(file);
        }
    }
    out
}

#[test]
fn files_that_are_not_templates_are_recognised_and_skipped_quietly() {
    // Walked, and named one by one as pre-commit does.
    let mut named: Vec<String> = Vec::new();
    for dir in ["", "helm/", "helm/templates/"] {
        for entry in std::fs::read_dir(format!("testdata/load/skipped/{dir}")).expect("testdata") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                named.push(path.display().to_string());
            }
        }
    }
    assert!(named.len() >= 11, "{named:?}");
    let mut args: Vec<&str> = named.iter().map(String::as_str).collect();
    args.push("testdata/load/skipped");
    let run = ecslint(&args);
    // Nothing was linted: exit 0, nothing on stdout, and one warning that says so.
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "warning: no CloudFormation template or Terraform plan found among {}, {}, and {} more paths\n",
            args[0],
            args[1],
            args.len() - 2
        )
    );
    // --verbose names each file skipped, so none goes unseen.
    let run = ecslint(&["--verbose", "testdata/load/skipped"]);
    let listed = run
        .stderr
        .lines()
        .filter(|l| l.contains("skipped testdata/load/skipped/"))
        .count();
    assert_eq!(listed, named.len(), "{}", run.stderr);
}

#[test]
#[cfg(unix)]
fn symbolic_links_are_followed_and_each_target_linted_once() {
    // Walked alone, the links are reported by the paths they were found by.
    let (_, doc) = json(&["testdata/load/symlinks"]);
    assert_eq!(
        files(&doc),
        [
            "testdata/load/symlinks/more/instances.yaml",
            "testdata/load/symlinks/stack.yaml"
        ]
    );
    // With their targets in the same walk, each file is linted once (under the first path).
    let (_, doc) = json(&["testdata/load"]);
    let all = files(&doc);
    assert!(
        all.contains(&"testdata/load/duplicate-key.yaml".to_string()),
        "{all:?}"
    );
    assert!(!all.iter().any(|f| f.contains("symlinks")), "{all:?}");
    // A link back to an ancestor does not loop; a broken link with a template's name is
    // reported, others are not.
    let dir = scratch_dir("symlink-loop");
    std::fs::copy(
        "testdata/load/linked/instances.yaml",
        dir.join("stack.yaml"),
    )
    .expect("copy");
    std::fs::create_dir_all(dir.join("sub")).expect("dir");
    std::os::unix::fs::symlink("..", dir.join("sub/up")).expect("symlink");
    std::os::unix::fs::symlink(".", dir.join("here")).expect("symlink");
    std::os::unix::fs::symlink("gone.yaml", dir.join("broken.yaml")).expect("symlink");
    std::os::unix::fs::symlink("gone", dir.join("broken")).expect("symlink");
    let (code, doc) = json_in(&dir, &["."]);
    assert_eq!(code, 2, "{doc}");
    assert_eq!(files(&doc), ["./stack.yaml"]);
    let errors = errors(&doc);
    assert_eq!(errors.len(), 1, "{doc}");
    assert_eq!(errors[0]["file"], "./broken.yaml");
    assert_eq!(errors[0]["message"], "broken symbolic link");
}

/// Runs the binary with a time limit: a walk must never block on a pipe.
#[cfg(unix)]
fn ecslint_timed(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecslint"))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the ecslint binary runs");
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        if let Some(bytes) = stdin {
            let _ = input.write_all(&bytes);
        }
    });
    let start = std::time::Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("ecslint {args:?} did not finish");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = writer.join();
    let out = child.wait_with_output().expect("output");
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
#[cfg(unix)]
fn devices_and_pipes_are_read_within_the_size_limit_and_walks_skip_pipes() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for device in ["/dev/zero", "/dev/urandom"] {
        if !Path::new(device).exists() {
            continue;
        }
        let run = ecslint_timed(
            here,
            &["--format", "json", "--max-file-size", "4096", device],
            None,
        );
        assert_eq!(run.code, 2, "{device}: {}", run.stdout);
        let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
        let message = doc["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("limit of 4096 bytes"), "{message}");
        assert!(message.contains("not a regular file"), "{message}");
    }
    // A pipe: the template on stdin is read when it fits, refused when it does not.
    let template = std::fs::read("testdata/load/linked/instances.yaml").expect("testdata");
    let run = ecslint_timed(here, &["/dev/stdin"], Some(template.clone()));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let run = ecslint_timed(
        here,
        &["--max-file-size", "100", "/dev/stdin"],
        Some(template),
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    // A FIFO met while walking is skipped, never opened (opening one blocks until a writer comes).
    let dir = scratch_dir("fifo-walk");
    std::fs::copy(
        "testdata/load/linked/instances.yaml",
        dir.join("stack.yaml"),
    )
    .expect("copy");
    let made = Command::new("mkfifo").arg(dir.join("pipe.yaml")).status();
    if made.is_ok_and(|s| s.success()) {
        let run = ecslint_timed(&dir, &["--format", "json", "."], None);
        let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert_eq!(
            (run.code, files(&doc)),
            (1, vec!["./stack.yaml".to_string()])
        );
        assert!(errors(&doc).is_empty(), "{doc}");
    }
}

#[test]
fn the_walk_honours_ignore_files_skipped_directories_and_excludes() {
    let walk = "testdata/load/walk";
    // `.ignore` hides generated/; node_modules, cdk.out and .terraform are not walked.
    let (_, doc) = json(&[walk]);
    assert_eq!(
        files(&doc),
        [
            "testdata/load/walk/app/stack.yaml",
            "testdata/load/walk/legacy/stack.yaml"
        ]
    );
    let (_, doc) = json(&["--exclude", "legacy", walk]);
    assert_eq!(files(&doc), ["testdata/load/walk/app/stack.yaml"]);
    let (_, doc) = json(&["--exclude", "testdata/load/walk/legacy/**", walk]);
    assert_eq!(files(&doc), ["testdata/load/walk/app/stack.yaml"]);
    // `exclude` in a settings file is relative to it.
    let (_, doc) = json(&["--config", "testdata/load/walk/exclude.toml", walk]);
    assert_eq!(files(&doc), ["testdata/load/walk/app/stack.yaml"]);
    // Named explicitly, files and directories are always linted.
    let named = [
        "testdata/load/walk/generated/stack.yaml",
        "testdata/load/walk/legacy/stack.yaml",
        "testdata/load/walk/cdk.out",
        "testdata/load/walk/node_modules",
    ];
    let mut args = vec!["--exclude", "legacy"];
    args.extend(named);
    let (_, doc) = json(&args);
    assert_eq!(
        files(&doc),
        [
            "testdata/load/walk/cdk.out/App.template.json",
            "testdata/load/walk/generated/stack.yaml",
            "testdata/load/walk/legacy/stack.yaml",
            "testdata/load/walk/node_modules/pkg/stack.yaml"
        ]
    );
    // `.gitignore` too, in a git repository or not.
    let dir = scratch_dir("gitignore-walk");
    for sub in ["kept", "ignored"] {
        std::fs::create_dir_all(dir.join(sub)).expect("dir");
        std::fs::copy(
            "testdata/load/linked/instances.yaml",
            dir.join(sub).join("s.yaml"),
        )
        .expect("copy");
    }
    std::fs::write(dir.join(".gitignore"), "ignored/\n").expect("gitignore");
    // Extensions in any letter case.
    std::fs::copy(
        "testdata/load/linked/instances.yaml",
        dir.join("kept/S2.YAML"),
    )
    .expect("copy");
    let (_, doc) = json_in(&dir, &["."]);
    assert_eq!(files(&doc), ["./kept/S2.YAML", "./kept/s.yaml"]);
}

#[test]
fn settings_are_searched_up_to_the_repository_root_or_home_only() {
    let outer = scratch_dir("settings-search");
    std::fs::copy(
        "testdata/load/settings/disables-everything.toml",
        outer.join(".ecslint.toml"),
    )
    .expect("copy");
    let template = "testdata/load/linked/instances.yaml";
    let place = |dir: &Path| {
        std::fs::create_dir_all(dir).expect("dir");
        std::fs::copy(template, dir.join("stack.yaml")).expect("copy");
    };
    let run_in = |dir: &Path, home: &Path, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_ecslint"))
            .args(args)
            .current_dir(dir)
            .env("HOME", home)
            .output()
            .expect("runs");
        (
            out.status.code().expect("exited"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let elsewhere = Path::new("/nonexistent-home");
    // Below a repository root, a settings file above it is not used.
    let repo = outer.join("repo/infra");
    place(&repo);
    std::fs::create_dir_all(outer.join("repo/.git")).expect(".git");
    let (code, _, stderr) = run_in(&repo, elsewhere, &["--verbose", "stack.yaml"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no settings file"), "{stderr}");
    // Below the home directory likewise.
    let home = outer.join("home");
    place(&home.join("project"));
    let (code, _, _) = run_in(&home.join("project"), &home, &["stack.yaml"]);
    assert_eq!(code, 1);
    // Elsewhere it is found, said, and warned about: it turns every rule off.
    let plain = outer.join("plain");
    place(&plain);
    let (code, _, stderr) = run_in(&plain, elsewhere, &["--verbose", "stack.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    let file = outer.join(".ecslint.toml").display().to_string();
    assert!(
        stderr.contains(&format!("settings file: {file}")),
        "{stderr}"
    );
    assert!(stderr.contains("disables every rule"), "{stderr}");
    // --show-config: each setting with where it comes from.
    let (code, stdout, _) = run_in(
        &plain,
        elsewhere,
        &["--show-config", "--fail-level", "error"],
    );
    assert_eq!(code, 0);
    let origin = |name: &str| -> String {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} = ")))
            .unwrap_or_else(|| panic!("{name} in {stdout}"));
        line.rsplit("# ").next().unwrap_or_default().to_string()
    };
    assert_eq!(origin("ignore"), file, "{stdout}");
    assert_eq!(origin("fail-level"), "command line", "{stdout}");
    assert_eq!(origin("max-file-size"), "default", "{stdout}");
    assert!(stdout.contains("ignore = [\"ECS\"]"), "{stdout}");
}

#[test]
fn a_misspelt_resource_type_gets_a_suggestion() {
    let (code, doc) = json(&["testdata/load/unknown-type.yaml"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(
        findings(&doc),
        [
            f("ECS903", "Cluster", 6, 11),
            f("ECS903", "Service", 9, 11),
            f("ECS903", "Untyped", 28, 3),
            f("ECS904", "", 33, 3),
        ]
    );
    let loop_note = &doc["findings"][3];
    assert_eq!(loop_note["severity"], "info");
    assert!(
        loop_note["message"]
            .as_str()
            .is_some_and(|m| m.contains("AWS::ECS::Service resources it generates are not linted")),
        "{loop_note}"
    );
    let message = doc["findings"][1]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`AWS::ECS::Servce` on Service: did you mean `AWS::ECS::Service`?"),
        "{message}"
    );
    assert_eq!(doc["findings"][1]["severity"], "warning");
    let (code, _) = json(&["--fail-level", "error", "testdata/load/unknown-type.yaml"]);
    assert_eq!(code, 0);
}
