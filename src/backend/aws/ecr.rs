//! ECR: the digest each named tag points at in one region, from one `BatchGetImage` per
//! repository with every tag as an image id. (`DescribeImages` with image ids fails as a whole
//! when one tag is missing; `BatchGetImage` answers the others and names the missing one.)

use aws_sdk_ecr::types::ImageIdentifier;

use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::{BackendError, ErrorKind};
use crate::model::{ImageReading, SectionError};

pub async fn read_tags(
    c: &RegionClients,
    repository: &str,
    tags: &[String],
) -> Result<Vec<ImageReading>, BackendError> {
    let ids: Vec<ImageIdentifier> = tags
        .iter()
        .map(|t| ImageIdentifier::builder().image_tag(t).build())
        .collect();
    let out = c
        .ecr
        .batch_get_image()
        .repository_name(repository)
        .set_image_ids(Some(ids))
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "ecr:BatchGetImage", repository, e));
    let out = match out {
        Ok(o) => o,
        Err(e) if e.kind == ErrorKind::Unreachable => return Err(e),
        // The repository itself (missing, denied): every tag says so.
        Err(e) => {
            let err = SectionError::from(e);
            return Ok(tags
                .iter()
                .map(|t| ImageReading {
                    repository: repository.to_string(),
                    tag: t.clone(),
                    digest: None,
                    error: Some(err.clone()),
                })
                .collect());
        }
    };
    Ok(tags
        .iter()
        .map(|t| {
            let digest = out
                .images()
                .iter()
                .find(|i| i.image_id().and_then(|id| id.image_tag()) == Some(t.as_str()))
                .and_then(|i| i.image_id().and_then(|id| id.image_digest()))
                .map(str::to_string);
            let error = match digest {
                Some(_) => None,
                None => {
                    let why = out
                        .failures()
                        .iter()
                        .find(|f| f.image_id().and_then(|id| id.image_tag()) == Some(t.as_str()))
                        .map(|f| {
                            format!(
                                "{}: {}",
                                f.failure_code().map(|c| c.as_str()).unwrap_or("missing"),
                                f.failure_reason().unwrap_or("no such tag")
                            )
                        })
                        .unwrap_or_else(|| "no such tag".into());
                    Some(SectionError::new(
                        ErrorKind::NotFound,
                        format!("{repository}:{t} {why}"),
                    ))
                }
            };
            ImageReading {
                repository: repository.to_string(),
                tag: t.clone(),
                digest,
                error,
            }
        })
        .collect())
}
