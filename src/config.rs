//! `.ecslint.toml`: project settings, found in the working directory or the nearest parent
//! up to the repository root (the first directory holding `.git`) or the home directory.
//! Command-line options override them.
//!
//! ```toml
//! select = ["ECS"]              # codes or prefixes to report (default: all)
//! ignore = ["ECS002"]           # codes or prefixes never to report
//! fail-level = "error"          # error | warning | info | never
//! rules = ["ci/ecslint-rules"]  # directories of extra rule files, relative to this file
//! max-file-size = 10485760
//! exclude = ["legacy/**"]       # globs not walked, relative to this file
//!
//! [per-file-ignores]
//! "legacy/**" = ["ECS005"]
//!
//! [severity]                    # per-rule severity overrides, applied before fail-level
//! ECS002 = "error"
//! ```
//!
//! `ignore` may also hold tables that silence rules on one resource (a Terraform address or
//! a logical ID); written as `[[ignore]]` when there is no list of codes:
//!
//! ```toml
//! ignore = [
//!   "ECS007",
//!   { address = "module.app.aws_ecs_service.web", rules = ["ECS002"], reason = "exec is needed" },
//! ]
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::finding::Severity;
use crate::source::{SourceFile, Span};

pub const FILE_NAME: &str = ".ecslint.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub select: Vec<String>,
    /// Codes from `ignore = [...]`; the `[[ignore]]` tables are in `addresses`.
    #[serde(skip)]
    pub ignore: Vec<String>,
    #[serde(default, rename = "ignore")]
    ignore_items: Vec<toml::Spanned<IgnoreItem>>,
    /// `[[ignore]]`: rules silenced on one resource.
    #[serde(skip)]
    pub addresses: Vec<AddressIgnore>,
    /// `[severity]`: a code (or prefix) and the severity its findings get.
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, SeverityName>,
    pub fail_level: Option<String>,
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    pub max_file_size: Option<u64>,
    /// Globs of paths not to lint below a walked directory.
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub per_file_ignores: std::collections::BTreeMap<String, Vec<String>>,
    /// The directory of the settings file: per-file patterns are relative to it.
    #[serde(skip)]
    pub base: Option<PathBuf>,
    /// The settings file these settings come from; `None` for the defaults.
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// The directories searched for a settings file, nearest first.
    #[serde(skip)]
    pub searched: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Config {
    /// The nearest `.ecslint.toml` from `start` upwards, or the defaults when there is none.
    /// The search ends at the repository root (the first directory holding `.git`) or the
    /// home directory: a settings file above them belongs to no project of this run (one in
    /// `/tmp` or a shared parent could turn every rule off).
    pub fn discover(start: &Path) -> Result<Config, ConfigError> {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let mut searched = Vec::new();
        for dir in start.ancestors() {
            searched.push(dir.to_path_buf());
            let path = dir.join(FILE_NAME);
            if path.is_file() {
                let mut config = Config::read(&path)?;
                config.searched = searched;
                return Ok(config);
            }
            if dir.join(".git").exists() || home.as_deref() == Some(dir) {
                break;
            }
        }
        Ok(Config {
            searched,
            ..Config::default()
        })
    }

    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: name.clone(),
            source,
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: name.clone(),
            message: e.to_string(),
        })?;
        let settings = SourceFile::new(name.clone(), text);
        config.split_ignore(&settings);
        let base = path.parent().unwrap_or(Path::new("."));
        config.rules = config.rules.iter().map(|d| base.join(d)).collect();
        config.base = base.canonicalize().ok();
        config.path = Some(path.to_path_buf());
        config
            .per_file_ignores_set()
            .and_then(|_| config.excludes())
            .map_err(|message| ConfigError::Invalid {
                path: name,
                message,
            })?;
        Ok(config)
    }

    /// The `exclude` globs, relative to the settings file.
    pub fn excludes(&self) -> Result<Excludes, String> {
        Excludes::new(&self.exclude, self.base.as_deref())
    }

    /// Sorts `ignore` into codes and `[[ignore]]` tables, located in the settings file.
    fn split_ignore(&mut self, settings: &Arc<SourceFile>) {
        for item in std::mem::take(&mut self.ignore_items) {
            let span = item.span();
            match item.into_inner() {
                IgnoreItem::Code(code) => self.ignore.push(code),
                IgnoreItem::Address(mut a) => {
                    a.span = span;
                    a.source = Some(settings.clone());
                    self.addresses.push(a);
                }
            }
        }
    }

    /// The severity overrides, most specific (longest) code or prefix first.
    pub fn severity_overrides(&self) -> Vec<(String, Severity)> {
        let mut out: Vec<(String, Severity)> = self
            .severity
            .iter()
            .map(|(code, s)| (code.clone(), s.severity()))
            .collect();
        out.sort_by_key(|(code, _)| std::cmp::Reverse(code.len()));
        out
    }

    /// The per-file ignores as (globs, codes per glob).
    pub fn per_file_ignores_set(&self) -> Result<PerFileIgnores, String> {
        let mut builder = GlobSetBuilder::new();
        let mut codes = Vec::new();
        for (pattern, list) in &self.per_file_ignores {
            builder.add(Glob::new(pattern).map_err(|e| format!("per-file-ignores: {e}"))?);
            codes.push(list.clone());
        }
        let set = builder
            .build()
            .map_err(|e| format!("per-file-ignores: {e}"))?;
        Ok(PerFileIgnores {
            set,
            codes,
            base: self.base.clone(),
        })
    }
}

/// The command-line values that override the settings file, for `--show-config`.
#[derive(Default)]
pub struct Overrides {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_level: Option<String>,
    pub rules: Vec<PathBuf>,
    pub max_file_size: Option<u64>,
    pub exclude: Vec<String>,
}

impl Config {
    /// Where the settings come from, for `--verbose`.
    pub fn describe_source(&self) -> String {
        match (&self.path, self.searched.last()) {
            (Some(p), _) => format!("settings file: {}", p.display()),
            (None, Some(top)) => format!(
                "no settings file: no {FILE_NAME} from {} up to {}; the defaults apply",
                self.searched[0].display(),
                top.display()
            ),
            (None, None) => "no settings file; the defaults apply".to_string(),
        }
    }

    /// The effective settings as TOML, each with where it came from: the settings file, the
    /// command line, or the default.
    pub fn show(&self, cli: &Overrides) -> String {
        let file = self
            .path
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string());
        let origin = |in_file: bool, on_cli: bool| match (in_file, on_cli) {
            (_, true) if !in_file => "command line".to_string(),
            (true, true) => format!("{file} and the command line"),
            (true, false) => file.clone(),
            (false, _) => "default".to_string(),
        };
        let list = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
            format!("[{}]", items.join(", "))
        };
        let paths = |v: &[PathBuf]| {
            let items: Vec<String> = v
                .iter()
                .map(|p| format!("{:?}", p.display().to_string()))
                .collect();
            format!("[{}]", items.join(", "))
        };
        let select = if cli.select.is_empty() {
            (list(&self.select), origin(!self.select.is_empty(), false))
        } else {
            (list(&cli.select), origin(false, true))
        };
        let ignore: Vec<String> = self.ignore.iter().chain(&cli.ignore).cloned().collect();
        let fail_level = match (&cli.fail_level, &self.fail_level) {
            (Some(l), _) => (format!("{l:?}"), origin(false, true)),
            (None, Some(l)) => (format!("{l:?}"), origin(true, false)),
            (None, None) => ("\"warning\"".to_string(), origin(false, false)),
        };
        let rules: Vec<PathBuf> = self.rules.iter().chain(&cli.rules).cloned().collect();
        let max = match (cli.max_file_size, self.max_file_size) {
            (Some(n), _) => (n.to_string(), origin(false, true)),
            (None, Some(n)) => (n.to_string(), origin(true, false)),
            (None, None) => (
                crate::load::DEFAULT_MAX_FILE_SIZE.to_string(),
                origin(false, false),
            ),
        };
        let exclude: Vec<String> = self.exclude.iter().chain(&cli.exclude).cloned().collect();
        let rows = [
            ("select", select.0, select.1),
            (
                "ignore",
                list(&ignore),
                origin(!self.ignore.is_empty(), !cli.ignore.is_empty()),
            ),
            ("fail-level", fail_level.0, fail_level.1),
            (
                "rules",
                paths(&rules),
                origin(!self.rules.is_empty(), !cli.rules.is_empty()),
            ),
            ("max-file-size", max.0, max.1),
            (
                "exclude",
                list(&exclude),
                origin(!self.exclude.is_empty(), !cli.exclude.is_empty()),
            ),
        ];
        let mut out = format!("# {}\n", self.describe_source());
        for (name, value, from) in rows {
            let line = format!("{name} = {value}");
            out.push_str(&format!("{line:<40} # {from}\n"));
        }
        if !self.severity.is_empty() {
            out.push_str(&format!("\n[severity]{:<30} # {file}\n", ""));
            for (code, s) in &self.severity {
                out.push_str(&format!("{code} = {:?}\n", s.severity().as_str()));
            }
        }
        if !self.per_file_ignores.is_empty() {
            out.push_str(&format!("\n[per-file-ignores]{:<22} # {file}\n", ""));
            for (pattern, codes) in &self.per_file_ignores {
                out.push_str(&format!("{pattern:?} = {}\n", list(codes)));
            }
        }
        out
    }

    /// True when the file's `select` and `ignore` leave none of `codes` (the rules) reported.
    pub fn disables_every_rule(&self, codes: &[&str]) -> bool {
        let selection = crate::suppress::Selection {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            ..Default::default()
        };
        self.path.is_some() && !codes.is_empty() && !codes.iter().any(|c| selection.wants(c))
    }
}

/// Paths not linted below a walked directory: globs matched against the file or directory
/// name, the path relative to `base` (the settings file's directory, or the working directory
/// for `--exclude`), and the path as found.
#[derive(Clone, Debug)]
pub struct Excludes {
    set: GlobSet,
    base: Option<PathBuf>,
}

impl Excludes {
    pub fn new(patterns: &[String], base: Option<&Path>) -> Result<Excludes, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(Glob::new(pattern).map_err(|e| format!("exclude: {e}"))?);
        }
        Ok(Excludes {
            set: builder.build().map_err(|e| format!("exclude: {e}"))?,
            base: base.and_then(|b| std::path::absolute(b).ok()),
        })
    }

    pub fn matches(&self, path: &Path) -> bool {
        if self.set.is_empty() {
            return false;
        }
        let name = path.file_name().map(Path::new);
        let relative = self.base.as_ref().and_then(|base| {
            let full = std::path::absolute(path).ok()?;
            full.strip_prefix(base).ok().map(Path::to_path_buf)
        });
        let given = path.strip_prefix(".").unwrap_or(path);
        name.is_some_and(|n| self.set.is_match(n))
            || relative.is_some_and(|r| self.set.is_match(r))
            || self.set.is_match(given)
    }
}

/// Gives the findings of the rules named in `[severity]` their new severity (before the
/// fail level is applied). `overrides` is most specific first, from `severity_overrides`.
pub fn apply_severity(overrides: &[(String, Severity)], findings: &mut [crate::finding::Finding]) {
    for f in findings {
        if let Some((_, s)) = overrides
            .iter()
            .find(|(code, _)| crate::suppress::matches_code(code, &f.code))
        {
            f.severity = *s;
        }
    }
}

/// A severity as written in `[severity]`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Error,
    Warning,
    Info,
}

impl SeverityName {
    pub fn severity(self) -> Severity {
        match self {
            SeverityName::Error => Severity::Error,
            SeverityName::Warning => Severity::Warning,
            SeverityName::Info => Severity::Info,
        }
    }
}

/// One `[[ignore]]` table: rules silenced on the resource at `address` (a Terraform address,
/// which also covers its `[0]`/`["key"]` instances, or a CloudFormation logical ID).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressIgnore {
    pub address: String,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Where the table is in the settings file.
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub source: Option<Arc<SourceFile>>,
}

/// An item of `ignore`: a code (`ignore = ["ECS002"]`) or a table (`[[ignore]]`).
#[derive(Debug)]
enum IgnoreItem {
    Code(String),
    Address(AddressIgnore),
}

impl<'de> Deserialize<'de> for IgnoreItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = IgnoreItem;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a rule code, or a table with `address`, `rules` and `reason`")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<IgnoreItem, E> {
                Ok(IgnoreItem::Code(s.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<IgnoreItem, A::Error> {
                AddressIgnore::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(IgnoreItem::Address)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Codes to ignore in files matching glob patterns.
#[derive(Clone, Debug)]
pub struct PerFileIgnores {
    set: GlobSet,
    codes: Vec<Vec<String>>,
    base: Option<PathBuf>,
}

impl Default for PerFileIgnores {
    fn default() -> Self {
        PerFileIgnores {
            set: GlobSet::empty(),
            codes: Vec::new(),
            base: None,
        }
    }
}

impl PerFileIgnores {
    /// The codes ignored in `path`: matched relative to the settings file's directory (and,
    /// failing that, as given without a leading `./`).
    pub fn for_path(&self, path: &str) -> Vec<String> {
        if self.codes.is_empty() {
            return Vec::new();
        }
        let relative = self.base.as_ref().and_then(|base| {
            let full = Path::new(path).canonicalize().ok()?;
            full.strip_prefix(base).ok().map(Path::to_path_buf)
        });
        let given = PathBuf::from(path.strip_prefix("./").unwrap_or(path));
        let mut matched = self.set.matches(relative.as_ref().unwrap_or(&given));
        if matched.is_empty() {
            matched = self.set.matches(&given);
        }
        matched
            .into_iter()
            .flat_map(|i| self.codes[i].iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_and_relative_to_the_file() {
        let dir = std::env::temp_dir().join(format!("ecslint-config-{}", std::process::id()));
        let nested = dir.join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(
            dir.join(FILE_NAME),
            "ignore = [\"ECS002\"]\nfail-level = \"error\"\nrules = [\"my-rules\"]\n[per-file-ignores]\n\"legacy/**\" = [\"ECS005\"]\n",
        )
        .unwrap();
        let c = Config::discover(&nested).unwrap();
        assert_eq!(c.ignore, ["ECS002"]);
        assert_eq!(c.fail_level.as_deref(), Some("error"));
        assert_eq!(c.rules, [dir.join("my-rules")]);
        let pfi = c.per_file_ignores_set().unwrap();
        assert_eq!(pfi.for_path("./legacy/x/stack.yaml"), ["ECS005"]);
        assert!(pfi.for_path("app/stack.yaml").is_empty());
        std::fs::write(dir.join(FILE_NAME), "ignroe = []\n").unwrap();
        let err = Config::discover(&nested).unwrap_err().to_string();
        assert!(err.contains("unknown field `ignroe`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ignore_holds_codes_and_address_tables_and_severity_is_checked() {
        let dir =
            std::env::temp_dir().join(format!("ecslint-config-ignore-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        std::fs::write(
            &path,
            // TOML has no `ignore = [...]` next to `[[ignore]]`: both in one list instead.
            "ignore = [\n  \"ECS007\",\n  {address = \"module.app.aws_ecs_service.web\", rules = [\"ECS002\"], reason = \"checked\"},\n]\n[severity]\nECS002 = \"error\"\n",
        )
        .unwrap();
        let c = Config::read(&path).unwrap();
        assert_eq!(c.ignore, ["ECS007"]);
        assert_eq!(c.addresses.len(), 1);
        let a = &c.addresses[0];
        assert_eq!(a.address, "module.app.aws_ecs_service.web");
        assert_eq!(a.reason.as_deref(), Some("checked"));
        let src = a.source.as_ref().unwrap();
        assert_eq!(src.line_col(a.span.start).0, 3);
        assert_eq!(
            c.severity_overrides(),
            [("ECS002".to_string(), Severity::Error)]
        );
        for (text, want) in [
            (
                "[severity]\nECS002 = \"fatal\"\n",
                "unknown variant `fatal`",
            ),
            (
                "[[ignore]]\naddress = \"x\"\nrules = []\nreasn = \"\"\n",
                "unknown field `reasn`",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = Config::read(&path).unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
            assert!(err.contains("line"), "located: {err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
