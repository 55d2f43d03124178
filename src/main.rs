//! The `rxsentinel` command line (CONTRACT §4).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use rxsentinel::app::replay::{load_rules, replay_with, Checkpoints, REPLAY_KEY};
use rxsentinel::rules::RuleSet;
use rxsentinel::settings::{Overrides, Settings, Topic};
use rxsentinel::sink::NdjsonSink;
use rxsentinel::source::file::{InputSet, ReadOptions, DEFAULT_MAX_LINE_BYTES};
use rxsentinel::source::sniff::EncodingChoice;

#[derive(Parser)]
#[command(
    name = "rxsentinel",
    version,
    about = "Watches HIS prescription, charge, audit and rep-visit events for commercial 统方 and alerts the discipline office"
)]
struct Cli {
    /// Log level when RUST_LOG is not set (error, warn, info, debug, trace).
    #[arg(long, global = true, default_value = "info")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Process event files (NDJSON, optionally gzip) to the end and write alerts.
    Replay(ReplayArgs),
    /// Consume Kafka until SIGINT/SIGTERM; alerts to the configured sinks.
    Run(rxsentinel::app::run::RunArgs),
    /// Work with the rules directory.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a month's 药品用量动态监测及超常预警 table (双排序) from event files.
    Report(ReportArgs),
    /// Check a notification file, or send a test message to its receivers.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Check a state checkpoint and show what it holds (scope, positions, counters, hospitals).
    Checkpoint {
        /// A checkpoint file (`KEY.SEQ.ckpt` in a --state directory).
        file: PathBuf,
    },
}

/// Event files and the rules to read them with (replay, report).
#[derive(Args)]
struct Inputs {
    /// Event files (NDJSON, gzip-compressed or not); several are merged by event time.
    #[arg(long, short, required = true, num_args = 1..)]
    input: Vec<PathBuf>,
    /// Rules directory (rule TOML files, engine.toml, catalog/).
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// Catalog directory, when not RULES/catalog.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Text encoding of the inputs; auto reads GB18030 (GBK) when a file's first 64 KiB are
    /// not UTF-8 but are GB18030, with a warning.
    #[arg(long, value_enum, default_value_t = EncodingChoice::Auto)]
    encoding: EncodingChoice,
    /// Longest line read, in bytes; a longer one is rejected (too_long), its bytes skipped unbuffered.
    #[arg(long, default_value_t = DEFAULT_MAX_LINE_BYTES, value_parser = clap::value_parser!(u64).range(1..))]
    max_line_bytes: u64,
    /// A `run` config file: each input line is a record of one of its topics (vendor columns,
    /// Debezium change events), mapped as `run` maps it — to try a mapping on a dump of the topic.
    #[arg(long, value_name = "CONFIG")]
    mapping: Option<PathBuf>,
    /// The topic of --mapping whose records the inputs hold (needed when it has several).
    #[arg(long, requires = "mapping")]
    topic: Option<String>,
    /// Cores to use (default: all). With more than one, a single input is read and decoded
    /// by other threads while one scores, and busy days close on two threads; the alerts
    /// are the same at every count.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

impl Inputs {
    /// Opens and sniffs every input: a missing, unreadable or refused one fails here.
    fn open(&self) -> anyhow::Result<InputSet> {
        let cores =
            self.threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), usize::from);
        // Decoders beside the scoring thread: one per other core, each cutting and decoding
        // its own batches (they block while the scorer catches up); none on one core. On
        // two cores one decoder leaves the day-close helper room (benches/replay.sh: 3.29 s
        // against 3.39 s with two).
        let decoders = cores.saturating_sub(1);
        let opts = ReadOptions { encoding: self.encoding, max_line_bytes: self.max_line_bytes, decoders };
        InputSet::open(&self.input, &opts)
    }

    /// The topic of `--mapping` the inputs are read as, if any.
    fn mapping(&self) -> anyhow::Result<Option<Topic>> {
        let Some(config) = &self.mapping else { return Ok(None) };
        let mut topics = Settings::load(Some(config), &Overrides::default())?.topics;
        let names = || topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
        let i = match &self.topic {
            Some(name) => topics
                .iter()
                .position(|t| &t.name == name)
                .ok_or_else(|| anyhow::anyhow!("{}: no topic `{name}` (it has: {})", config.display(), names()))?,
            None if topics.len() == 1 => 0,
            None => anyhow::bail!("{}: several topics ({}): say which with --topic", config.display(), names()),
        };
        Ok(Some(topics.swap_remove(i)))
    }
}

#[derive(Args)]
struct ReplayArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Alert output: an NDJSON file, or `-` for stdout. A file is written aside and renamed
    /// into place when the replay succeeds; one that is an input is refused.
    #[arg(long, default_value = "-")]
    alerts: String,
    /// No progress bar even on a terminal.
    #[arg(long)]
    no_progress: bool,
    /// Keep state across replays in this directory: resume from its checkpoint (inputs it
    /// had read go on where they stood), checkpoint every --checkpoint-interval and at the
    /// end. `run --state` on the same directory goes live from it.
    #[arg(long)]
    state: Option<PathBuf>,
    #[command(flatten)]
    checkpointing: rxsentinel::app::Checkpointing,
}

#[derive(Args)]
struct ReportArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Month, `YYYY-MM`; default: the last month that closed.
    #[arg(long)]
    month: Option<String>,
    /// Print JSON instead of the Chinese table.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Validate a rules directory; lists every problem with file:line and exits 1 if any.
    Check {
        /// Rules directory.
        dir: PathBuf,
        /// Catalog directory, when not DIR/catalog.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
    /// Run every rule's examples (`[[rule.example]]`): events in, the alerts expected out.
    /// Lists each failing example with rule and name and exits 1 if any fails.
    Test {
        /// Rules directory.
        dir: PathBuf,
        /// Catalog directory, when not DIR/catalog.
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Also list the examples that pass.
        #[arg(long, short)]
        verbose: bool,
    },
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// Validate a notification file (receivers, routes, secrets readable).
    Check {
        /// The notification file (see deploy/config/notify.toml).
        file: PathBuf,
    },
    /// Send a test message (marked 测试) to every receiver, or the one named; exits 1 if any
    /// receiver did not take it.
    Test {
        file: PathBuf,
        /// Only this receiver.
        #[arg(long)]
        receiver: Option<String>,
        /// Rules directory, for doctor names (receivers with `doctor = "name"`).
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    rxsentinel::telemetry::init(&cli.log);
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Replay(a) => replay(a),
        Command::Run(a) => rxsentinel::app::run::run(a),
        Command::Report(a) => report(a),
        Command::Checkpoint { file } => {
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let s = rxsentinel::checkpoint::decode(&file.display().to_string(), &bytes)?;
            println!("{}: ok — {}", file.display(), s.describe());
            Ok(ExitCode::SUCCESS)
        }
        Command::Notify(c) => notify(c),
        Command::Rules(c) => rules(c),
    }
}

fn rules(c: RulesCommand) -> anyhow::Result<ExitCode> {
    let (dir, catalog) = match &c {
        RulesCommand::Check { dir, catalog } | RulesCommand::Test { dir, catalog, .. } => (dir, catalog),
    };
    let rs = match RuleSet::load(dir, catalog.as_deref()) {
        Ok(rs) => rs,
        Err(problems) => {
            eprintln!("{problems}");
            return Ok(ExitCode::from(1));
        }
    };
    match c {
        RulesCommand::Check { .. } => {
            println!("{}: ok — {}", dir.display(), rs.summary());
            let today = rs.engine.zone.day(rxsentinel::event::time::machine_now());
            for note in rxsentinel::rules::exception::notes(&rs.rules, today) {
                println!("{note}");
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Test { verbose, .. } => {
            let outcomes = rxsentinel::pipeline::examples::run_all(&rs);
            let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
            for o in outcomes.iter().filter(|o| verbose || o.result.is_err()) {
                println!("{}", o.describe());
            }
            println!(
                "{}: {} examples, {} passed, {failed} failed",
                dir.display(),
                outcomes.len(),
                outcomes.len() - failed
            );
            Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// Inputs are opened and sniffed before the sink exists, and the sink writes aside: a run
/// that fails leaves a previous alerts file as it was.
fn replay(a: ReplayArgs) -> anyhow::Result<ExitCode> {
    let rules = load_rules(&a.inputs.rules, a.inputs.catalog.as_deref())?;
    let mapping = a.inputs.mapping()?;
    let inputs = a.inputs.open()?;
    tracing::info!(rules = rules.rules.len(), inputs = a.inputs.input.len(), "replay starting");
    let Some(dir) = &a.state else {
        let mut sink = NdjsonSink::replace(&a.alerts, &a.inputs.input)?;
        let summary = replay_with(inputs, rules, &mut sink, !a.no_progress, None, mapping.as_ref())?;
        sink.commit()?;
        eprintln!("{summary}");
        return Ok(ExitCode::SUCCESS);
    };
    let mut store = rxsentinel::checkpoint::dir::DirStore::open(dir)?;
    let resume = rxsentinel::checkpoint::restore(&mut store, REPLAY_KEY, a.checkpointing.discard_bad_checkpoint)?;
    let partial = resume.as_ref().and_then(|s| s.alerts.as_ref()).map(|(p, l)| (p.as_str(), *l));
    let mut sink = NdjsonSink::resumable(&a.alerts, &a.inputs.input, partial)?;
    let ck = Checkpoints { store: Box::new(store), every: a.checkpointing.checkpoint_interval, resume };
    let summary = replay_with(inputs, rules, &mut sink, !a.no_progress, Some(ck), mapping.as_ref())?;
    sink.commit()?;
    eprintln!("{summary}");
    Ok(ExitCode::SUCCESS)
}

fn notify(c: NotifyCommand) -> anyhow::Result<ExitCode> {
    use rxsentinel::notify::{config::NotifyConfig, message::Names, send::Outcome};
    match c {
        NotifyCommand::Check { file } => {
            let cfg = NotifyConfig::load(&file)?;
            println!(
                "{}: ok — {} receiver(s) ({}), {} route(s), queues in {}",
                file.display(),
                cfg.receivers.len(),
                cfg.receivers
                    .iter()
                    .map(|r| format!("{} {}", r.name, r.channel.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
                cfg.routes.len(),
                cfg.queue_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        NotifyCommand::Test { file, receiver, rules } => {
            let cfg = NotifyConfig::load(&file)?;
            let names = match RuleSet::load(&rules, None) {
                Ok(rs) => Names::from_rules(&rs),
                Err(_) => Names::default(),
            };
            let mut ok = true;
            for (name, outcome) in rxsentinel::notify::send_test(&cfg, &names, receiver.as_deref())? {
                match outcome {
                    Outcome::Sent => println!("{name}: sent"),
                    Outcome::Failed { why, .. } => {
                        ok = false;
                        println!("{name}: FAILED — {why}");
                    }
                }
            }
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

fn report(a: ReportArgs) -> anyhow::Result<ExitCode> {
    let rules = load_rules(&a.inputs.rules, a.inputs.catalog.as_deref())?;
    let mut sink = rxsentinel::sink::NullSink;
    let mapping = a.inputs.mapping()?;
    let summary = replay_with(a.inputs.open()?, rules, &mut sink, true, None, mapping.as_ref())?;
    let chosen = rxsentinel::app::report::select(&summary.months, a.month.as_deref())?;
    for (hospital, month) in chosen {
        if a.json {
            // The month's report with its hospital; one object per hospital.
            let mut v = serde_json::to_value(month)?;
            v["hospital"] = hospital.into();
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            print!("{}", rxsentinel::app::report::render(hospital, month));
        }
    }
    Ok(ExitCode::SUCCESS)
}
