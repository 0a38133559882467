//! ecslint: finds the cross-resource mistakes in CloudFormation templates and Terraform plans
//! that make Amazon ECS tasks fail to start.
//!
//! Pipeline: `load` (files → `graph::Graph`) × `dsl` (rule files → `dsl::Program`) →
//! `engine` (→ `finding::Finding`s) → `render`.

pub mod bindings;
pub mod comments;
pub mod config;
pub mod dsl;
pub mod engine;
pub mod explain;
pub mod finding;
pub mod graph;
pub mod graph_render;
pub mod lint;
pub mod load;
pub mod node;
pub mod render;
pub mod ruletest;
pub mod source;
pub mod statistics;
pub mod suggest;
pub mod suppress;
pub mod terms;
