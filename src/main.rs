//! The `ecslint` command line: arguments, output format, exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use ecslint::config::{Config, Excludes};
use ecslint::dsl::Program;
use ecslint::explain;
use ecslint::finding::Severity;
use ecslint::lint;
use ecslint::render;
use ecslint::suppress::Selection;

/// Finds the cross-resource mistakes in CloudFormation templates and Terraform plans that
/// make Amazon ECS tasks fail to start.
#[derive(Parser)]
#[command(
    version,
    about,
    long_about = None,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Templates, plans (`terraform show -json plan.out > plan.json`) or directories to lint.
    #[arg(required_unless_present = "show_config")]
    paths: Vec<PathBuf>,

    /// Do not lint paths matching this glob below a walked directory (repeatable; files named
    /// explicitly are always linted).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,

    /// Print the effective settings, and where each comes from, then exit.
    #[arg(long)]
    show_config: bool,

    /// Say on stderr which settings file is in effect.
    #[arg(long, short)]
    verbose: bool,

    /// Also load the `.ecsl` rule files of this directory (repeatable).
    #[arg(long = "rules", value_name = "DIR", global = true)]
    rule_dirs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Lowest severity that makes the exit code 1 [default: warning].
    #[arg(long, value_enum)]
    fail_level: Option<FailLevel>,

    /// When to colour human output (NO_COLOR is respected with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,

    /// Report only these rule codes or code prefixes (comma-separated, e.g. `ECS001,ECS00`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,

    /// Do not report these rule codes or code prefixes (comma-separated). A single resource
    /// can silence a rule with `Metadata: {ecslint: {ignore: [ECS002]}}`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,

    /// Refuse input files larger than this many bytes [default: 52428800].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,

    /// Settings file to use instead of the nearest `.ecslint.toml` (working directory or a
    /// parent). Options given here override the file's settings.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
}

const EXAMPLES: &str = "Examples:
  ecslint template.yaml                 lint one CloudFormation template
  ecslint infra/ --format sarif         lint a directory, SARIF for code scanning
  ecslint plan.json                     lint a Terraform plan (terraform show -json plan.out)
  ecslint rules                         list the rules
  ecslint explain ECS001                what a rule checks, and why
  ecslint explain \"exec format error\"   which rules prevent an error seen on AWS

Exit codes:
  0  no finding at or above --fail-level
  1  at least one finding at or above --fail-level
  2  bad input (unreadable or malformed file, bad rule file) or bad usage";

#[derive(clap::Subcommand)]
enum Command {
    /// List the rules: code, severity, name and summary.
    Rules,
    /// Explain a rule by code (`ECS001`), or find the rules whose production symptom or
    /// summary mentions a text (paste the error from the ECS console).
    Explain {
        /// A rule code or any text.
        query: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailLevel {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let config = match &cli.config {
        Some(path) => Config::read(path),
        None => Config::discover(&std::env::current_dir().unwrap_or_default()),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if cli.verbose {
        eprintln!("ecslint: {}", config.describe_source());
    }
    if cli.show_config {
        let overrides = ecslint::config::Overrides {
            select: cli.select.clone(),
            ignore: cli.ignore.clone(),
            fail_level: cli
                .fail_level
                .and_then(|l| l.to_possible_value())
                .map(|v| v.get_name().to_string()),
            rules: cli.rule_dirs.clone(),
            max_file_size: cli.max_file_size,
            exclude: cli.exclude.clone(),
        };
        return print(&config.show(&overrides));
    }
    let dirs: Vec<&std::path::Path> = config
        .rules
        .iter()
        .chain(&cli.rule_dirs)
        .map(PathBuf::as_path)
        .collect();
    let program = match Program::load(&dirs) {
        Ok(p) => p,
        Err(errors) => {
            let handler = miette::GraphicalReportHandler::new_themed(theme(use_color(cli.color)));
            let mut out = String::new();
            for e in &errors {
                if e.source.snippet_fits(&e.span) {
                    let _ = handler.render_report(&mut out, e);
                } else {
                    // miette cannot show a location on so long a line (see `snippet_fits`).
                    let at = e.source.location(e.span.start);
                    out.push_str(&format!(
                        "  × {e}\n  at {at} (the line is too long to show)\n"
                    ));
                }
                out.push('\n');
            }
            eprint!("{out}");
            return ExitCode::from(2);
        }
    };
    match &cli.command {
        Some(Command::Rules) => return print(&explain::list(&program)),
        Some(Command::Explain { query }) => return print(&explain::explain(&program, query)),
        None => {}
    }
    let fail_level = match (cli.fail_level, config.fail_level.as_deref()) {
        (Some(level), _) => level,
        (None, Some(name)) => match FailLevel::from_str(name, true) {
            Ok(level) => level,
            Err(_) => {
                eprintln!(
                    "error: fail-level = {name:?} in the settings file: use error, warning, info or never"
                );
                return ExitCode::from(2);
            }
        },
        (None, None) => FailLevel::Warning,
    };
    let opts = lint::Options {
        max_file_size: cli
            .max_file_size
            .or(config.max_file_size)
            .unwrap_or(ecslint::load::DEFAULT_MAX_FILE_SIZE),
        selection: Selection {
            select: if cli.select.is_empty() {
                config.select.clone()
            } else {
                cli.select.clone()
            },
            ignore: config.ignore.iter().chain(&cli.ignore).cloned().collect(),
            per_file: config.per_file_ignores_set().unwrap_or_default(),
        },
        exclude: match (
            config.excludes(),
            Excludes::new(&cli.exclude, std::env::current_dir().ok().as_deref()),
        ) {
            (Ok(file), Ok(given)) => vec![file, given],
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let codes: Vec<&str> = program
        .rules
        .iter()
        .map(|r| r.code.as_str())
        .chain(ecslint::load::CODES.iter().map(|c| c.0))
        .collect();
    let rule_codes: Vec<&str> = program.rules.iter().map(|r| r.code.as_str()).collect();
    if config.disables_every_rule(&rule_codes) {
        eprintln!(
            "warning: {} disables every rule (its select and ignore leave none); nothing will be reported",
            config
                .path
                .as_ref()
                .map_or_else(String::new, |p| p.display().to_string())
        );
    }
    let unknown = opts.selection.unknown_selectors(&codes);
    if !unknown.is_empty() {
        eprintln!(
            "error: no rule matches {unknown:?} (from --select, --ignore or the settings file); `ecslint rules` lists them"
        );
        return ExitCode::from(2);
    }
    let (report, skipped) = lint::run_listing_skipped(&cli.paths, &program, &opts);
    if cli.verbose {
        for path in &skipped {
            eprintln!(
                "ecslint: skipped {}: neither a CloudFormation template nor a Terraform plan",
                path.display()
            );
        }
    }
    let out = match cli.format {
        Format::Human => render::human::render(
            &report,
            &render::human::Options {
                color: use_color(cli.color),
                width: 100,
            },
        ),
        Format::Json => render::json::render(&report),
        Format::Sarif => render::sarif::render(&report, &render::RuleInfo::all(&program)),
        Format::Github => render::github::render(&report, &render::RuleInfo::all(&program)),
    };
    let _ = std::io::stdout().write_all(out.as_bytes());
    exit_code(&report, fail_level)
}

fn print(text: &str) -> ExitCode {
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn theme(color: bool) -> miette::GraphicalTheme {
    if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    }
}

fn use_color(c: Color) -> bool {
    match c {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    }
}

fn exit_code(report: &render::Report, level: FailLevel) -> ExitCode {
    if !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match level {
        FailLevel::Error => Some(Severity::Error),
        FailLevel::Warning => Some(Severity::Warning),
        FailLevel::Info => Some(Severity::Info),
        FailLevel::Never => None,
    };
    let failed = threshold.is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
