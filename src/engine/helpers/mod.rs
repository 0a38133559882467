pub mod arch;
pub mod arn;
pub mod iam;
pub mod instance_types;
pub mod nacl;
pub mod network;
pub mod userdata;
