//! Coupling signals and their weights: the names a plan file's `[weights]` table accepts,
//! each signal's default, and what it measures.
//!
//! This file only names and stores weights; how each signal is counted between two modules is
//! the analysis's business (`ficus plan`), documented with it.

use std::fmt;

/// One kind of evidence that two modules belong together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    Import,
    Call,
    Method,
    InferredMethod,
    Type,
    Impl,
    Construct,
    Macro,
    DataWrite,
    DataRead,
    ForeignKey,
    RoutePrefix,
    Naming,
    ModuleTree,
    CoChange,
    CoAuthor,
}

/// A weight per signal. `Weights::default()` holds the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    values: [f64; Signal::ALL.len()],
}

impl Signal {
    /// Every signal, in the order a drafted plan lists them.
    pub const ALL: [Signal; 16] = [
        Signal::Import,
        Signal::Call,
        Signal::Method,
        Signal::InferredMethod,
        Signal::Type,
        Signal::Impl,
        Signal::Construct,
        Signal::Macro,
        Signal::DataWrite,
        Signal::DataRead,
        Signal::ForeignKey,
        Signal::RoutePrefix,
        Signal::Naming,
        Signal::ModuleTree,
        Signal::CoChange,
        Signal::CoAuthor,
    ];

    /// The key in `[weights]`; the structural ones are the analysis's edge kinds.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Import => "import",
            Signal::Call => "call",
            Signal::Method => "method",
            Signal::InferredMethod => "inferred_method",
            Signal::Type => "type",
            Signal::Impl => "impl",
            Signal::Construct => "construct",
            Signal::Macro => "macro",
            Signal::DataWrite => "data_write",
            Signal::DataRead => "data_read",
            Signal::ForeignKey => "foreign_key",
            Signal::RoutePrefix => "route_prefix",
            Signal::Naming => "naming",
            Signal::ModuleTree => "module_tree",
            Signal::CoChange => "co_change",
            Signal::CoAuthor => "co_author",
        }
    }

    pub fn from_name(name: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|signal| signal.name() == name)
    }

    /// Whether the signal is one of the analysis's structural edge kinds (`import` to
    /// `macro`), as opposed to data, routes, names or history.
    pub fn is_structural(self) -> bool {
        matches!(
            self,
            Signal::Import
                | Signal::Call
                | Signal::Method
                | Signal::InferredMethod
                | Signal::Type
                | Signal::Impl
                | Signal::Construct
                | Signal::Macro
        )
    }

    /// The structural signal for an analysis edge kind (`call`, `impl`, ...), if it is one.
    pub fn of_edge_kind(kind: &str) -> Option<Signal> {
        Signal::from_name(kind).filter(|signal| signal.is_structural())
    }

    /// The weight used when the plan does not set one.
    pub fn default_weight(self) -> f64 {
        match self {
            Signal::Import => 0.5,
            Signal::Call => 1.0,
            Signal::Method => 1.0,
            Signal::InferredMethod => 0.5,
            Signal::Type => 0.5,
            Signal::Impl => 2.0,
            Signal::Construct => 1.0,
            Signal::Macro => 0.5,
            Signal::DataWrite => 2.0,
            Signal::DataRead => 0.5,
            Signal::ForeignKey => 1.0,
            Signal::RoutePrefix => 1.0,
            Signal::Naming => 1.0,
            Signal::ModuleTree => 2.0,
            Signal::CoChange => 1.0,
            Signal::CoAuthor => 0.25,
        }
    }

    /// What one unit of the signal is, for comments and docs.
    pub fn description(self) -> &'static str {
        match self {
            Signal::Import => "per name one module imports from the other (`use`)",
            Signal::Call => "per call of a function by path",
            Signal::Method => "per method call resolved by the receiver's type",
            Signal::InferredMethod => "per method call resolved only by a unique name",
            Signal::Type => "per use of a type (signature, field, annotation)",
            Signal::Impl => "per impl of the other's trait, or for the other's type",
            Signal::Construct => "per struct or enum variant built",
            Signal::Macro => "per macro invoked",
            Signal::DataWrite => "per table both modules write",
            Signal::DataRead => "per table one module reads and the other reads or writes",
            Signal::ForeignKey => "per foreign key between tables the two modules write",
            Signal::RoutePrefix => "per URL prefix both modules' handlers serve",
            Signal::Naming => "per domain term both modules' names share",
            Signal::ModuleTree => "per parent module (not a crate root) both modules sit in",
            Signal::CoChange => "per commit changing both modules' files (--history)",
            Signal::CoAuthor => "per author of both modules' files (--history)",
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Weights {
    pub fn get(&self, signal: Signal) -> f64 {
        self.values[signal as usize]
    }

    /// Sets one weight. Validation of what a file says happens when it is read; a weight set
    /// here that is negative or not finite makes the rendered plan fail to read back.
    pub fn set(&mut self, signal: Signal, weight: f64) {
        self.values[signal as usize] = weight;
    }

    /// Every signal with its weight, in [`Signal::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Signal, f64)> + '_ {
        Signal::ALL
            .into_iter()
            .map(|signal| (signal, self.get(signal)))
    }
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            values: Signal::ALL.map(Signal::default_weight),
        }
    }
}
