//! `attn-quiz train [--task T] [--steps N] [--seed S]`: train a small
//! attention model from scratch on a toy task and watch it learn.

use anyhow::bail;
use attn_quiz::explore::with_thousands;
use attn_quiz::heatmap::{self, Mode, Options};
use attn_quiz::prelude::Matrix;
use attn_quiz::train::display::{bar, plot, sparkline};
use attn_quiz::train::run::{Config, Report, predictions, train};
use attn_quiz::train::task::{Example, Task};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The largest `--steps` accepted.
const MAX_STEPS: usize = 100_000;

/// Arguments of `attn-quiz train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Toy task: reverse (reverse the sequence) or copy-after-marker (output the token after the marker).
    #[arg(long, value_name = "TASK", default_value = "reverse")]
    task: String,
    /// Optimiser steps [default: 400 for reverse, 1500 for copy-after-marker].
    #[arg(long, value_name = "N")]
    steps: Option<usize>,
    /// Seed of the initial weights and of the data.
    #[arg(long, value_name = "SEED", default_value_t = 0)]
    seed: u64,
}

/// Runs `attn-quiz train`.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let Some(task) = Task::from_name(&args.task) else {
        let names: Vec<&str> = Task::ALL.iter().map(|t| t.name()).collect();
        bail!("unknown task `{}`; choose one of: {}", args.task, names.join(", "));
    };
    let defaults = Config::defaults(task);
    let steps = args.steps.unwrap_or(defaults.steps);
    if !(1..=MAX_STEPS).contains(&steps) {
        bail!("--steps must be between 1 and {}, not {steps}", with_thousands(MAX_STEPS as u64));
    }
    let config = Config { steps, seed: args.seed, ..defaults };
    let live = std::io::stdout().is_terminal();
    print_header(&config);
    let started = Instant::now();
    let mut progress = Progress::new(config.steps, live, started);
    let report = train(&config, |step, loss| progress.update(step, loss));
    let elapsed = started.elapsed();
    print_report(&config, &report, elapsed, Mode::detect());
    Ok(ExitCode::SUCCESS)
}

/// What is trained, on what, with which settings.
fn print_header(config: &Config) {
    let shape = config.shape();
    let parameters = attn_quiz::train::model::Model::new(shape, config.seed).parameter_count();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    println!("attn-quiz train: task {}, seed {}", config.task.name(), config.seed);
    println!(
        "model: token embedding + learned positions, {} × {} (residual, D = {}), output projection; {} parameters",
        plural(shape.layers, "attention layer", "attention layers"),
        plural(shape.heads, "head", "heads"),
        shape.d_model,
        with_thousands(parameters as u64)
    );
    println!(
        "data: sequences of {} tokens over {} symbols; {} steps of {} sequences; Adam, lr {} decaying to {}",
        config.len,
        config.vocab,
        config.steps,
        config.batch,
        short(config.lr),
        short(config.lr / 10.0)
    );
}

/// A learning rate in few digits: `0.003`, `0.0003`.
fn short(x: f32) -> String {
    format!("{:.6}", x).trim_end_matches('0').to_string()
}

/// The progress display: redrawn in place on a terminal, a line every tenth
/// of the run otherwise.
struct Progress {
    steps: usize,
    live: bool,
    started: Instant,
    last_draw: Option<Instant>,
    losses: Vec<f64>,
    drawn: bool,
}

impl Progress {
    fn new(steps: usize, live: bool, started: Instant) -> Self {
        Progress { steps, live, started, last_draw: None, losses: Vec::with_capacity(steps), drawn: false }
    }

    fn update(&mut self, step: usize, loss: f64) {
        self.losses.push(loss);
        if self.live {
            let due = self.last_draw.is_none_or(|t| t.elapsed() >= Duration::from_millis(80));
            if due || step == self.steps {
                self.draw(step, loss);
            }
        } else {
            let every = self.steps.div_ceil(10).max(1);
            if step == 1 || step.is_multiple_of(every) || step == self.steps {
                let width = self.steps.to_string().len();
                println!("step {step:>width$}/{}  loss {loss:.4}", self.steps);
            }
        }
    }

    /// Two lines: the bar with the numbers, then the loss so far as a sparkline.
    fn draw(&mut self, step: usize, loss: f64) {
        let mut out = std::io::stdout().lock();
        if self.drawn {
            // Back up over the two lines drawn last time.
            let _ = write!(out, "\x1b[2A");
        }
        let percent = 100 * step / self.steps;
        let seconds = self.started.elapsed().as_secs_f64();
        let _ = writeln!(
            out,
            "\r\x1b[2K{} {percent:>3}%  step {step}/{}  loss {loss:.4}  {seconds:.1} s",
            bar(step, self.steps, 24),
            self.steps
        );
        let _ = writeln!(out, "\r\x1b[2Kloss {}", sparkline(&self.losses, 60));
        let _ = out.flush();
        self.drawn = true;
        self.last_draw = Some(Instant::now());
    }
}

/// The loss curve, the held-out accuracy and the learned attention.
fn print_report(config: &Config, report: &Report, elapsed: Duration, mode: Mode) {
    println!();
    println!("training loss, mean per bucket of steps:");
    for line in plot(&report.losses, 60, 8) {
        println!("  {line}");
    }
    println!();
    let what = match config.task {
        Task::Reverse => "positions",
        Task::CopyAfterMarker => "answers",
    };
    println!(
        "held-out accuracy: {:.1}% of {what} ({:.1}% of sequences all right), loss {:.4}, on {} sequences never trained on",
        100.0 * report.accuracy,
        100.0 * report.sequence_accuracy,
        report.held_out_loss,
        config.held_out
    );
    println!("time: {:.1} s", elapsed.as_secs_f64());
    println!();
    let name = |t: usize| config.task.token_name(t, config.vocab);
    let row = |tokens: Vec<String>| tokens.join(" ");
    let example = &report.example;
    let predicted = predictions(&report.example_forward);
    println!("a held-out example:");
    println!("  input     {}", row(example.tokens.iter().map(|&t| name(t)).collect()));
    let at_targets = |f: &dyn Fn(usize) -> String| {
        row(example.targets.iter().enumerate().map(|(i, t)| if t.is_some() { f(i) } else { ".".into() }).collect())
    };
    println!("  target    {}", at_targets(&|i| name(example.targets[i].unwrap_or(0))));
    println!("  predicted {}", at_targets(&|i| name(predicted[i])));
    let options = Options::new(mode);
    let forward = &report.example_forward;
    let layers = forward.layers.len();
    for layer in 0..layers {
        for (h, weights) in forward.weights(layer).iter().enumerate() {
            println!();
            println!("learned attention, layer {} head {}:", layer + 1, h + 1);
            print!("{}", heatmap::render(weights, &options));
            if let Some(line) = what_it_should_show(config.task, config.vocab, example, weights, layer + 1 == layers) {
                println!("{line}");
            }
        }
    }
}

/// What the map should show once learned, and how much of it it does.
fn what_it_should_show(
    task: Task,
    vocab: usize,
    example: &Example,
    weights: &Matrix,
    last_layer: bool,
) -> Option<String> {
    let l = weights.nrows();
    match task {
        Task::Reverse => {
            let on_anti_diagonal: f32 = (0..l).map(|i| weights[(i, l - 1 - i)]).sum::<f32>() / l as f32;
            Some(format!(
                "query i should look at key {}-i (the anti-diagonal): {:.1}% of the weight is there",
                l - 1,
                100.0 * on_anti_diagonal
            ))
        }
        Task::CopyAfterMarker if last_layer => {
            // The marker is the token numbered `vocab`; the answer sits right after it.
            let marker = example.tokens.iter().position(|&t| t == vocab)?;
            Some(format!(
                "the last query (?) should look at key {}, the token after the marker: {:.1}% of its weight is there",
                marker + 1,
                100.0 * weights[(l - 1, marker + 1)]
            ))
        }
        Task::CopyAfterMarker => Some(
            "the first layer prepares the keys: the model finds its own way (often, positions look at the marker or at their predecessor)"
                .to_string(),
        ),
    }
}
