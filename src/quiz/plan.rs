//! Choosing the questions of a session.
//!
//! A session of `count` questions mixes, from the chosen topics:
//! - **due** questions (answered before, waiting time over), most overdue
//!   first: up to half the session;
//! - **generated** questions, fresh sizes from a generator not yet due: about
//!   three in ten;
//! - **new** written questions, never answered: the rest.
//!
//! When one pool runs short the others fill in, and as a last resort questions
//! that are not due yet come back early, soonest due first. The session is then
//! shuffled. With `review_only`, only due questions are asked, most overdue first.
//! All random choices come from the session's seeded generator, so the same
//! seed and the same progress give the same session.

use super::bank::Bank;
use super::generators::{GENERATORS, Generator};
use super::progress::Progress;
use super::question::Question;
use super::topic::Topic;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Something that can be asked: a written question or a generator.
#[derive(Debug, Clone, Copy)]
pub enum Item<'b> {
    /// A question of the bank.
    Written(&'b Question),
    /// A generator, asked as a freshly generated question.
    Generated(&'static Generator),
}

impl Item<'_> {
    /// The id progress is kept under.
    pub fn id(&self) -> &str {
        match self {
            Item::Written(question) => &question.id,
            Item::Generated(generator) => generator.id,
        }
    }

    /// The topic.
    pub fn topic(&self) -> &'static Topic {
        match self {
            Item::Written(question) => question.topic,
            Item::Generated(generator) => generator.topic,
        }
    }
}

/// Why an item is in the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Its waiting time is over.
    Due,
    /// Never answered.
    New,
    /// A generator not due yet: new sizes.
    Generated,
    /// Answered before and not due yet: back early because nothing else was left.
    Early,
}

impl Reason {
    /// A word for the question's header.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Due => "due",
            Reason::New => "new",
            Reason::Generated => "generated",
            Reason::Early => "early review",
        }
    }
}

/// An item chosen for the session, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct Planned<'b> {
    /// What to ask.
    pub item: Item<'b>,
    /// Why.
    pub reason: Reason,
}

/// What the learner asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The topics to draw from; empty means every topic.
    pub topics: Vec<&'static Topic>,
    /// How many questions at most.
    pub count: usize,
    /// Only due questions.
    pub review_only: bool,
    /// The current time (Unix seconds).
    pub now: u64,
}

/// Every item of the chosen topics: the bank's questions, then the generators.
pub fn items<'b>(bank: &'b Bank, topics: &[&'static Topic]) -> Vec<Item<'b>> {
    let written = bank.questions().iter().map(Item::Written);
    let generated = GENERATORS.iter().map(Item::Generated);
    written.chain(generated).filter(|item| topics.is_empty() || topics.contains(&item.topic())).collect()
}

/// Chooses the session's questions (see the module documentation).
pub fn plan<'b>(bank: &'b Bank, progress: &Progress, request: &Request, rng: &mut StdRng) -> Vec<Planned<'b>> {
    let pools = Pools::sort(items(bank, &request.topics), progress, request.now);
    if request.review_only {
        return pools.due.into_iter().take(request.count).map(|item| Planned { item, reason: Reason::Due }).collect();
    }
    let mut pools = pools;
    pools.new.shuffle(rng);
    pools.generated.shuffle(rng);
    let mut session = Session { planned: Vec::new(), count: request.count };
    // First the shares, then whatever is left, in order of preference.
    session.take(&mut pools.due, request.count / 2, Reason::Due);
    session.take(&mut pools.generated, (request.count * 3 + 5) / 10, Reason::Generated);
    session.take(&mut pools.new, request.count, Reason::New);
    session.take(&mut pools.due, request.count, Reason::Due);
    session.take(&mut pools.generated, request.count, Reason::Generated);
    session.take(&mut pools.early, request.count, Reason::Early);
    session.planned.shuffle(rng);
    session.planned
}

/// The items sorted by what the learner's progress says about them.
struct Pools<'b> {
    /// Answered before and due, most overdue first.
    due: Vec<Item<'b>>,
    /// Written questions never answered, in bank order.
    new: Vec<Item<'b>>,
    /// Generators that are not due.
    generated: Vec<Item<'b>>,
    /// Written questions answered before and not due, soonest due first.
    early: Vec<Item<'b>>,
}

impl<'b> Pools<'b> {
    fn sort(items: Vec<Item<'b>>, progress: &Progress, now: u64) -> Pools<'b> {
        let mut pools = Pools { due: Vec::new(), new: Vec::new(), generated: Vec::new(), early: Vec::new() };
        for item in items {
            let record = progress.get(item.id());
            match (item, record) {
                (_, Some(r)) if r.is_due(now) => pools.due.push(item),
                (Item::Generated(_), _) => pools.generated.push(item),
                (Item::Written(_), None) => pools.new.push(item),
                (Item::Written(_), Some(_)) => pools.early.push(item),
            }
        }
        let due_time = |item: &Item| progress.get(item.id()).map_or(0, |r| r.due);
        pools.due.sort_by_key(due_time); // stable: ties keep bank order
        pools.early.sort_by_key(due_time);
        pools
    }
}

/// The session being filled.
struct Session<'b> {
    planned: Vec<Planned<'b>>,
    count: usize,
}

impl<'b> Session<'b> {
    /// Moves up to `share` items from the front of `pool` into the session, without overfilling it.
    fn take(&mut self, pool: &mut Vec<Item<'b>>, share: usize, reason: Reason) {
        let room = self.count - self.planned.len();
        let taken = pool.drain(..share.min(room).min(pool.len()));
        self.planned.extend(taken.map(|item| Planned { item, reason }));
    }
}
