//! Procedural macros of clerk-claims. A thin shell: attribute parsing and expansion around the
//! `clerk-claims-codegen` engine, which does every check.
