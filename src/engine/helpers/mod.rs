pub mod arch;
pub mod arn;
pub mod iam;
pub mod network;
pub mod userdata;
