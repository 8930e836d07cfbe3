//! `attn-quiz run`: a quiz session.

use super::quiz_files::{Opened, QuizFiles};
use attn_quiz::quiz::bank::Bank;
use attn_quiz::quiz::plan::{self, Request};
use attn_quiz::quiz::progress::{self, Progress};
use attn_quiz::quiz::session::Session;
use attn_quiz::quiz::topic::{self, Topic};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::process::ExitCode;

/// Arguments of `attn-quiz run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Ask only about TOPIC (repeat the flag or separate topics with commas).
    #[arg(long = "topic", value_name = "TOPIC", value_delimiter = ',', value_parser = topic_names())]
    topics: Vec<&'static Topic>,
    /// How many questions to ask.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    count: u32,
    /// Seed of the question choice, the generated sizes and the shuffles: the same seed and the same progress give
    /// the same session [default: random, printed at the start].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Ask only the questions due for review.
    #[arg(long)]
    review: bool,
    #[command(flatten)]
    files: QuizFiles,
}

/// Runs `attn-quiz run`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let Opened { bank, path, progress: saved } = args.files.open()?;
    let now = progress::now();
    let seed = args.seed.unwrap_or_else(rand::random);
    let mut rng = StdRng::seed_from_u64(seed);
    let request = Request { topics: args.topics, count: args.count as usize, review_only: args.review, now };
    let planned = plan::plan(&bank, &saved, &request, &mut rng);
    if planned.is_empty() {
        println!("{}", nothing_to_ask(&bank, &request, &saved));
        return Ok(ExitCode::SUCCESS);
    }
    let save = |progress: &Progress| -> anyhow::Result<()> { Ok(progress::save(&path, progress)?) };
    let session = Session::new(std::io::stdin().lock(), std::io::stdout().lock(), saved, save, now);
    let tally = session.run(&planned, &mut rng, seed)?;
    if tally.total_answered() > 0 {
        println!("Progress saved in {}.", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses a topic name; clap rejects any other name, listing these (exit code 2).
fn topic_names() -> impl TypedValueParser<Value = &'static Topic> {
    let names = topic::TOPICS.iter().map(|t| PossibleValue::new(t.id).help(t.title));
    PossibleValuesParser::new(names)
        .map(|name: String| topic::find(&name).expect("clap passes only the possible values, which are topic ids"))
}

/// Why a session has no question, and what to do instead.
fn nothing_to_ask(bank: &Bank, request: &Request, progress: &Progress) -> String {
    if !request.review_only {
        return "No questions for these topics yet.".into();
    }
    let items = plan::items(bank, &request.topics);
    match items.iter().filter_map(|item| progress.get(item.id())).map(|r| r.due).min() {
        None => "Nothing is due for review: nothing answered yet. Start with `attn-quiz run`.".into(),
        Some(due) => {
            let hours = due.saturating_sub(request.now).div_ceil(3600);
            format!(
                "Nothing is due for review; the next question is due in about {hours} h. `attn-quiz run` asks new ones."
            )
        }
    }
}
