pub mod arch;
pub mod arn;
pub mod iam;
pub mod nacl;
pub mod network;
pub mod userdata;
