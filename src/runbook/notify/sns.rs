//! Publishing to an SNS topic, in the topic's own region (from its ARN), with the standby's
//! profile and `endpoint_url`.

use async_trait::async_trait;

use super::{Message, Sink};
use crate::config::coordination::Notify;
use crate::config::{Estate, Region, RegionConfig};

pub struct Topic {
    client: aws_sdk_sns::Client,
    pub arn: String,
}

impl Topic {
    pub async fn connect(estate: &Estate, arn: &str) -> Topic {
        let region = Notify::topic_region(arn)
            .and_then(|r| Region::parse(r).ok())
            .unwrap_or_else(|| estate.standby.region.clone());
        let cfg = RegionConfig {
            region,
            profile: estate.standby.profile.clone(),
            endpoint_url: estate.standby.endpoint_url.clone(),
            account_id: None,
        };
        let sdk = crate::backend::aws::load_sdk_config(&cfg, estate.call_timeout.0).await;
        let mut b = aws_sdk_sns::config::Builder::from(&sdk);
        if let Some(url) = &cfg.endpoint_url {
            b = b.endpoint_url(url);
        }
        Topic {
            client: aws_sdk_sns::Client::from_conf(b.build()),
            arn: arn.to_string(),
        }
    }
}

/// SNS subjects: ASCII, at most 100 characters.
fn subject(m: &Message) -> String {
    let s: String = format!("drconsole {} {}: {}", m.estate, m.runbook, m.event)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.chars().take(100).collect()
}

#[async_trait]
impl Sink for Topic {
    fn label(&self) -> String {
        format!("sns {}", self.arn)
    }

    async fn send(&self, m: &Message) -> Result<(), String> {
        self.client
            .publish()
            .topic_arn(&self.arn)
            .subject(subject(m))
            .message(&m.text)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                use aws_sdk_sns::error::ProvideErrorMetadata;
                match e.as_service_error() {
                    Some(se) => format!(
                        "{}: {}",
                        se.code().unwrap_or("error"),
                        se.message().unwrap_or("")
                    ),
                    None => format!(
                        "{}",
                        aws_smithy_types::error::display::DisplayErrorContext(&e)
                    ),
                }
            })
    }
}
