//! The `ecslint` command line: arguments, output format, exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, ValueEnum};

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

    /// Say more: on stderr, the settings file in effect and every file skipped as neither a
    /// template nor a plan; in human output, the plan JSON at each Terraform location.
    #[arg(long, short)]
    verbose: bool,

    /// Also load the `.ecsl` rule files of this directory (repeatable). They are checked
    /// first (names, functions, relations, regexes, resource types); a mistake exits with
    /// code 2, and a read of a property Terraform plans do not map is warned of.
    #[arg(long = "rules", value_name = "DIR", global = true)]
    rule_dirs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Lowest severity that makes the exit code 1 [default: warning].
    #[arg(long, value_enum)]
    fail_level: Option<FailLevel>,

    /// When to colour human output. `auto`: when writing to a terminal, unless `NO_COLOR` is
    /// set or `TERM=dumb`; `FORCE_COLOR` or `CLICOLOR_FORCE` colour even a pipe.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,

    /// Report only these rule codes or code prefixes (comma-separated, e.g. `ECS001,ECS00`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,

    /// Do not report these rule codes or code prefixes (comma-separated). One place can
    /// silence a rule with `# ecslint: ignore[ECS002] reason` or
    /// `Metadata: {ecslint: {ignore: [ECS002]}}`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,

    /// Name the text read from stdin (the path `-`) in messages and for per-file settings.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,

    /// Print the findings only: no summary line.
    #[arg(long, short)]
    quiet: bool,

    /// Print how many findings each rule has, instead of the findings (JSON with
    /// `--format json`).
    #[arg(long)]
    statistics: bool,

    /// Make a suppression without a reason (`# ecslint: ignore[ECS002] why`) an error.
    #[arg(long)]
    require_reason: bool,

    /// Refuse input files larger than this many bytes [default: 52428800].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,

    /// Write the report (in `--format`) to FILE instead of stdout; stdout then gets only the
    /// summary line (none with `--quiet`).
    #[arg(long, short = 'o', value_name = "FILE")]
    output_file: Option<PathBuf>,

    /// Also write a SARIF log to FILE, whatever `--format` prints: one run gives both the
    /// annotations (`--format github`) and the log for code scanning.
    #[arg(long, value_name = "FILE")]
    sarif_file: Option<PathBuf>,

    /// The directory SARIF file URIs are relative to [default: the git top level of the
    /// working directory; outside a repository, URIs are absolute].
    #[arg(long, value_name = "DIR")]
    sarif_root: Option<PathBuf>,

    /// Settings file to use instead of the nearest `.ecslint.toml` (working directory or a
    /// parent). Options given here override the file's settings.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,

    /// Instead of linting, show how rule CODE evaluates on each resource of the files: what
    /// every `let` bound and why each `deny` was true, false or unknown.
    #[arg(long, value_name = "CODE")]
    trace: Option<String>,
}

const EXAMPLES: &str = "Examples:
  ecslint template.yaml                 lint one CloudFormation template
  ecslint infra/ --format sarif         lint a directory, SARIF for code scanning
  ecslint infra/ --format github --sarif-file ecslint.sarif
                                        annotations and a SARIF log from one run
  ecslint plan.json                     lint a Terraform plan (terraform show -json plan.out)
  ecslint rules                         list the rules
  ecslint explain ECS001                what a rule checks, and why
  ecslint explain \"exec format error\"   which rules prevent an error seen on AWS
  ecslint graph template.yaml           draw the resources and references, findings marked
  cat template.yaml | ecslint -         lint stdin (--stdin-filename names it)
  ecslint completions bash              a shell completion script (also zsh, fish, ...)

Exit codes:
  0  no finding at or above --fail-level
  1  at least one finding at or above --fail-level
  2  bad input (unreadable or malformed file, bad rule file) or bad usage";

#[derive(clap::Subcommand)]
enum Command {
    /// List the rules: code, severity, name and summary.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain a rule by code (`ECS001`), or find the rules whose production symptom or
    /// summary mentions a text (paste the error from the ECS console).
    Explain {
        /// A rule code or any text.
        query: String,
    },
    /// Print a shell completion script, e.g. `ecslint completions bash >
    /// ~/.local/share/bash-completion/completions/ecslint`.
    Completions { shell: clap_complete::Shell },
    /// Draw the resources of a template or plan and the references the rules follow, with
    /// the resources that findings are about marked (Mermaid or Graphviz DOT).
    Graph {
        /// The template or plan.
        file: PathBuf,
        /// Only this resource, what it leads to and what leads to it.
        #[arg(long, value_name = "ID")]
        resource: Option<String>,
        /// Output format: Mermaid (renders in GitHub Markdown) or DOT (`dot -Tsvg`).
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Print the manual page (roff), e.g. `ecslint man > ~/.local/share/man/man1/ecslint.1`.
    Man,
    /// Run the test cases of a rule directory: for each rule `CODE` of its `.ecsl` files,
    /// `DIR/CODE/fires/*` must raise it and `DIR/CODE/passes/*` must raise nothing
    /// (`tfplan/fires`, `tfplan/passes` for Terraform plans).
    Test {
        /// The rule directory.
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    /// One line per finding: `file:line:col: error[CODE] message (chain)`.
    Concise,
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
    match &cli.command {
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "ecslint",
                &mut std::io::stdout(),
            );
            return ExitCode::SUCCESS;
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            let _ = clap_mangen::Man::new(Cli::command()).render(&mut out);
            let _ = std::io::stdout().write_all(&out);
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    if let Some(word) = mistyped_subcommand(&cli.paths) {
        return word;
    }
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
    let mut dirs: Vec<&std::path::Path> = config
        .rules
        .iter()
        .chain(&cli.rule_dirs)
        .map(PathBuf::as_path)
        .collect();
    if let Some(Command::Test { dir }) = &cli.command
        && !dirs.contains(&dir.as_path())
    {
        dirs.push(dir);
    }
    let color = use_color(cli.color, std::io::stderr().is_terminal());
    // Kept until the process exits, never freed: dropping the rule program's expression
    // trees costs more than linting a small template, and the system reclaims it anyway.
    let program: &'static Program = match Program::load(&dirs) {
        Ok(p) => Box::leak(Box::new(p)),
        Err(errors) => {
            eprint!("{}", rule_errors(&errors, color));
            return ExitCode::from(2);
        }
    };
    if !program.warnings.is_empty() {
        eprint!("{}", rule_errors(&program.warnings, color));
    }
    match &cli.command {
        Some(Command::Rules { format }) => {
            return print(&match format {
                ListFormat::Text => explain::list(program),
                ListFormat::Json => explain::list_json(program),
            });
        }
        Some(Command::Explain { query }) => return print(&explain::explain(program, query)),
        Some(Command::Test { dir }) => {
            let (out, ok) = ecslint::ruletest::run_dir(program, dir);
            print(&out);
            return if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            };
        }
        _ => {}
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
    // Every code a finding can have: the rules', the suppression reports' and the loader's.
    let codes: Vec<&str> = std::iter::once(ecslint::suppress::CODE)
        .chain(program.rules.iter().map(|r| r.code.as_str()))
        .chain(ecslint::load::CODES.iter().map(|c| c.0))
        .collect();
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
            known: codes.iter().map(|c| c.to_string()).collect(),
            require_reason: cli.require_reason,
            addresses: config.addresses.clone(),
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
        stdin: None,
    };
    let opts = match read_stdin(&cli, opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: cannot read stdin: {e}");
            return ExitCode::from(2);
        }
    };
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
    let mut unknown = opts.selection.unknown_selectors(&codes);
    unknown.extend(
        config
            .severity
            .keys()
            .map(String::as_str)
            .filter(|p| !codes.iter().any(|c| ecslint::suppress::matches_code(p, c))),
    );
    if !unknown.is_empty() {
        eprintln!(
            "error: no rule matches {unknown:?} (from --select, --ignore, or the settings file's select, ignore or [severity]); `ecslint rules` lists them"
        );
        return ExitCode::from(2);
    }
    if let Some(code) = &cli.trace {
        return trace(program, code, &cli.paths, &opts);
    }
    if let Some(Command::Graph {
        file,
        resource,
        format,
    }) = &cli.command
    {
        let format = match format {
            GraphFormat::Mermaid => ecslint::graph_render::Format::Mermaid,
            GraphFormat::Dot => ecslint::graph_render::Format::Dot,
        };
        return match ecslint::graph_render::draw(file, resource.as_deref(), format, program, &opts)
        {
            Ok(text) => print(&text),
            Err(e) => {
                eprint!("{e}");
                ExitCode::from(2)
            }
        };
    }
    let (mut report, skipped) = lint::run_listing_skipped(&cli.paths, program, &opts);
    if cli.verbose {
        for path in &skipped {
            eprintln!(
                "ecslint: skipped {}: neither a CloudFormation template nor a Terraform plan",
                path.display()
            );
        }
    }
    ecslint::config::apply_severity(&config.severity_overrides(), &mut report.findings);
    let human = |is_terminal: bool| render::human::Options {
        color: use_color(cli.color, is_terminal),
        ascii: dumb_terminal(),
        width: 100,
        verbose: cli.verbose,
    };
    let errors = match cli.format {
        Format::Human => render::human::errors(&report, &human(std::io::stderr().is_terminal())),
        Format::Concise => render::concise::errors(&report),
        _ => String::new(),
    };
    let _ = std::io::stderr().write_all(errors.as_bytes());
    if report.files_checked == 0 && report.errors.is_empty() {
        let paths: Vec<String> = cli.paths.iter().map(|p| p.display().to_string()).collect();
        let all_dirs = cli.paths.iter().all(|p| p.is_dir());
        eprint!("{}", render::human::nothing_checked(&paths, all_dirs));
    }
    // The rule descriptions and repository root of SARIF, made only when SARIF is written.
    let sarif = || render::sarif::Options::for_run(program, cli.sarif_root.as_deref());
    if let Some(path) = &cli.sarif_file
        && let Err(e) = render::sarif::write_file(path, &report, &sarif())
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    let out = match cli.format {
        _ if cli.statistics => match cli.format {
            Format::Json => ecslint::statistics::json(&report, &rule_infos(program)),
            _ => ecslint::statistics::text(&report, &rule_infos(program)),
        },
        Format::Human => {
            let out = render::human::render(&report, &human(std::io::stdout().is_terminal()));
            if cli.quiet { without_summary(out) } else { out }
        }
        Format::Concise => render::concise::render(&report),
        Format::Json => render::json::render(&report),
        Format::Sarif => render::sarif::render(&report, &sarif()),
        Format::Github => render::github::render(&report, &rule_infos(program)),
    };
    match &cli.output_file {
        Some(path) => {
            if let Err(e) = std::fs::write(path, out) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            if !cli.quiet {
                print(&render::human::summary(&report));
            }
        }
        None => {
            let _ = std::io::stdout().write_all(out.as_bytes());
        }
    }
    exit_code(&report, fail_level)
}

/// `ecslint rule` or `ecslint exlpain`: a word that is no file but close to a subcommand is
/// a typo, not a missing file.
fn mistyped_subcommand(paths: &[PathBuf]) -> Option<ExitCode> {
    let cmd = Cli::command();
    let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
    let (path, name) = paths
        .iter()
        .find_map(|p| ecslint::suggest::subcommand_for(p, &names).map(|n| (p, n)))?;
    eprintln!(
        "error: `{}` is neither a file nor a subcommand\n\n  tip: did you mean `{name}`?\n\nFor more information, try '--help'.",
        path.display()
    );
    Some(ExitCode::from(2))
}

/// With `-` among the paths, reads stdin (once) for the linter, named by --stdin-filename.
fn read_stdin(cli: &Cli, mut opts: lint::Options) -> std::io::Result<lint::Options> {
    let graph_of_stdin =
        matches!(&cli.command, Some(Command::Graph { file, .. }) if file.as_os_str() == "-");
    if graph_of_stdin || cli.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
        let name = cli
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "-".to_string());
        opts.stdin = Some((name, bytes));
    }
    Ok(opts)
}

/// `--quiet`: the human report without its last line, the summary.
fn without_summary(mut out: String) -> String {
    out.pop();
    out.truncate(out.rfind('\n').map_or(0, |i| i + 1));
    out
}

/// The loaded rules and the suppression report `ECS000`, for the renderers.
fn rule_infos(program: &Program) -> Vec<render::RuleInfo<'_>> {
    let mut infos = render::RuleInfo::all(program);
    infos.push(render::RuleInfo {
        code: ecslint::suppress::CODE,
        slug: ecslint::suppress::SLUG,
        summary: ecslint::suppress::SUMMARY,
        fix: None,
        symptom: None,
    });
    infos
}

/// `--trace CODE`: the evaluation of one rule over each file, instead of its findings.
fn trace(program: &Program, code: &str, paths: &[PathBuf], opts: &lint::Options) -> ExitCode {
    if program.rule(code).is_none() {
        eprintln!("error: no rule {code}; `ecslint rules` lists them");
        return ExitCode::from(2);
    }
    let (files, errors) = lint::discover(paths, opts);
    let mut failed = !errors.is_empty();
    for e in &errors {
        eprintln!("error: {}: {}", e.source.path, e.message);
    }
    for path in files {
        failed |= trace_outcome(program, code, &path, None, lint::load_file(&path, opts));
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the trace of one loaded document (`document`: its number in a stream of several);
/// true when it failed to load.
fn trace_outcome(
    program: &Program,
    code: &str,
    path: &std::path::Path,
    document: Option<usize>,
    outcome: ecslint::load::Outcome,
) -> bool {
    use ecslint::load::Outcome;
    let name = match document {
        Some(n) => format!("{} (document {n})", path.display()),
        None => path.display().to_string(),
    };
    match outcome {
        Outcome::Loaded { graph, .. } => {
            let text = ecslint::engine::trace(program, &graph, code).unwrap_or_default();
            print(&format!("== {name}\n{text}"));
            false
        }
        Outcome::Failed { errors, .. } => {
            for e in errors {
                eprintln!("error: {name}: {}", e.message);
            }
            true
        }
        Outcome::Documents(list) => list.into_iter().fold(false, |failed, (n, o)| {
            trace_outcome(program, code, path, Some(n), o) | failed
        }),
        Outcome::Skipped => false,
    }
}

fn print(text: &str) -> ExitCode {
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

/// miette's theme for rule-file errors, by the same colour and `TERM=dumb` choices.
fn theme(color: bool) -> miette::GraphicalTheme {
    let mut theme = if dumb_terminal() {
        miette::GraphicalTheme::ascii()
    } else {
        miette::GraphicalTheme::unicode()
    };
    if !color {
        theme.styles = miette::ThemeStyles::none();
    }
    theme
}

fn dumb_terminal() -> bool {
    std::env::var_os("TERM").is_some_and(|t| t == "dumb")
}

/// Whether to colour a stream: `--color` decides, else `NO_COLOR` (set and not empty) turns
/// colour off, `FORCE_COLOR` or `CLICOLOR_FORCE` (set, not empty and not `0`) on, and otherwise
/// a terminal other than `TERM=dumb` gets colour.
/// Errors and warnings of rule files, each with its place in the file.
fn rule_errors(errors: &[ecslint::dsl::RuleError], color: bool) -> String {
    let handler = miette::GraphicalReportHandler::new_themed(theme(color));
    let mut out = String::new();
    for e in errors {
        if e.source.snippet_fits(&e.span) {
            let _ = handler.render_report(&mut out, e);
        } else {
            // miette cannot show a location on so long a line (see `snippet_fits`).
            let at = e.source.location(e.span.start);
            let mark = if e.warning { "⚠" } else { "×" };
            out.push_str(&format!(
                "  {mark} {e}\n  at {at} (the line is too long to show)\n"
            ));
        }
        out.push('\n');
    }
    out
}

fn use_color(c: Color, is_terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match c {
        Color::Always => true,
        Color::Never => false,
        Color::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        Color::Auto if set("FORCE_COLOR") || set("CLICOLOR_FORCE") => true,
        Color::Auto => is_terminal && !dumb_terminal(),
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
