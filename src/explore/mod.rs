//! Reading tools: `show`, `trace`, `compare` (see issue 5).
