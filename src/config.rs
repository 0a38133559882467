//! `.ecslint.toml`: project settings, found in the working directory or the nearest parent.
//! Command-line options override them.
//!
//! ```toml
//! select = ["ECS"]              # codes or prefixes to report (default: all)
//! ignore = ["ECS002"]           # codes or prefixes never to report
//! fail-level = "error"          # error | warning | info | never
//! rules = ["ci/ecslint-rules"]  # directories of extra rule files, relative to this file
//! max-file-size = 10485760
//!
//! [per-file-ignores]
//! "legacy/**" = ["ECS005"]
//! ```

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

pub const FILE_NAME: &str = ".ecslint.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    pub fail_level: Option<String>,
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    pub max_file_size: Option<u64>,
    #[serde(default)]
    pub per_file_ignores: std::collections::BTreeMap<String, Vec<String>>,
    /// The directory of the settings file: per-file patterns are relative to it.
    #[serde(skip)]
    pub base: Option<PathBuf>,
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
    /// Relative rule directories are resolved against the file's directory.
    pub fn discover(start: &Path) -> Result<Config, ConfigError> {
        match start
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file())
        {
            Some(path) => Config::read(&path),
            None => Ok(Config::default()),
        }
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
        let base = path.parent().unwrap_or(Path::new("."));
        config.rules = config.rules.iter().map(|d| base.join(d)).collect();
        config.base = base.canonicalize().ok();
        config
            .per_file_ignores_set()
            .map_err(|message| ConfigError::Invalid {
                path: name,
                message,
            })?;
        Ok(config)
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
}
