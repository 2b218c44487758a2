"""`global_cluster_moves` patch: SwitchoverGlobalCluster and FailoverGlobalCluster for moto.

moto 5.x has CreateGlobalCluster and DescribeGlobalClusters but neither operation that moves
an Aurora global database's writer (FailoverGlobalCluster answers 500). This patch adds both
to moto's RDS backend, modelled on the RDS API reference:
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html and
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html.

- `SwitchoverGlobalCluster(GlobalClusterIdentifier, TargetDbClusterIdentifier)`, and
  `FailoverGlobalCluster` without `AllowDataLoss` (the reference: "If you don't specify
  AllowDataLoss, the global database cluster operation defaults to a switchover"): a switchover
  demotes the primary and synchronises every secondary with it first, so it needs the primary.
  While the primary's Region is dark (progress.py) it is refused with
  `InvalidDBClusterStateFault`, and nothing moves.
- The answer shows the global cluster with a `FailoverState` (`Status` `pending`,
  `FromDbClusterArn`, `ToDbClusterArn`, `IsDataLossAllowed`). For the next `describes()` RDS
  describes (DescribeGlobalClusters, DescribeDBClusters, DescribeDBInstances, in any Region)
  the global cluster and its `FailoverState` read `switching-over` (a switchover) or
  `failing-over` (a failover) and the members have not swapped; at the describe after them the
  move is done: `IsWriter` has moved to the target member, the old writer is a secondary, the
  global cluster is `available` and `FailoverState` is gone.
- `FailoverGlobalCluster` with `AllowDataLoss`: the old writer, which may be unreachable, is not
  synchronised: its member reads `SynchronizationStatus: pending-resync`. AWS rebuilds it as
  a secondary by itself once its Region is available again; here that happens at the first RDS
  request that reaches the old writer's Region after the failover, while it is not dark (the
  Region is back). Until then every other member is `connected`.
- The target must be a secondary member (an ARN or an identifier): a writer target, or a
  cluster outside the global database, is `InvalidDBClusterStateFault`; an unknown global
  cluster is `GlobalClusterNotFoundFault`; a second move while one is under way is
  `InvalidGlobalClusterStateFault`.

What it cannot model: AWS's own durations (1-2 minutes; here a count of describes), the
`cancelling` state of a move AWS gives up, the snapshot AWS keeps of an old primary it
rebuilds, and write forwarding.

moto keeps global clusters in its us-east-1 backend, whatever the Region asked.
"""


from moto.rds import models as rds_models
from moto.rds import responses as rds_responses
from moto.rds.exceptions import RDSClientError

import progress


def _global_backend(backend):
    return rds_models.rds_backends[backend.account_id]["us-east-1"]


def _find(global_cluster, identifier):
    for member in global_cluster.members:
        if identifier in (member.db_cluster_arn, member.db_cluster_identifier):
            return member
    return None


def _settle(backend):
    """One RDS describe in `backend`'s Region: a move under way counts it, and finishes after
    `describes()` of them; an old writer whose Region answers again rejoins."""
    with progress.LOCK:
        for g in _global_backend(backend).global_clusters.values():
            move = getattr(g, "drconsole_move", None)
            if move is not None:
                target, old, data_loss, remaining = move
                if remaining > 0:
                    g.drconsole_move = (target, old, data_loss, remaining - 1)
                    g.status = "failing-over" if data_loss else "switching-over"
                    g.failover_state = dict(g.failover_state, Status=g.status)
                    continue
                target.is_writer = True
                if old is not None:
                    old.is_writer = False
                    if data_loss:
                        g.drconsole_resync = old
                g.drconsole_move = None
                g.failover_state = None
                g.status = "available"
                continue
            old = getattr(g, "drconsole_resync", None)
            if (
                old is not None
                and old.region == backend.region_name
                and not progress.is_dark(backend.region_name)
            ):
                g.drconsole_resync = None


def _members(self):
    resync = getattr(self, "drconsole_resync", None)
    out = []
    for member in self.members:
        entry = {
            "DBClusterArn": member.db_cluster_arn,
            "IsWriter": bool(member.is_writer),
            "DBClusterParameterGroupStatus": "in-sync",
            "PromotionTier": 1,
            "Readers": [],
        }
        if member.is_writer:
            entry["Readers"] = [m.db_cluster_arn for m in self.members if not m.is_writer]
        else:
            entry["GlobalWriteForwardingStatus"] = "disabled"
            entry["SynchronizationStatus"] = "pending-resync" if member is resync else "connected"
        out.append(entry)
    return out


def _move(backend, params, data_loss):
    ident = params.get("GlobalClusterIdentifier")
    target_id = params.get("TargetDbClusterIdentifier")
    g = _global_backend(backend).global_clusters.get(ident)
    if g is None:
        raise RDSClientError("GlobalClusterNotFoundFault", f"Global cluster {ident} not found.")
    if getattr(g, "drconsole_move", None) is not None:
        raise RDSClientError(
            "InvalidGlobalClusterStateFault",
            f"Global cluster {ident} is {g.status}: another switchover or failover is under way.",
        )
    target = _find(g, target_id)
    if target is None:
        raise RDSClientError(
            "InvalidDBClusterStateFault",
            f"{target_id} is not a member of the global cluster {ident}.",
        )
    if target.is_writer:
        raise RDSClientError(
            "InvalidDBClusterStateFault",
            f"{target_id} is already the primary cluster of {ident}.",
        )
    old = next((m for m in g.members if m.is_writer), None)
    if not data_loss and old is not None and progress.is_dark(old.region):
        raise RDSClientError(
            "InvalidDBClusterStateFault",
            f"The primary cluster {old.db_cluster_identifier} of {ident} in {old.region} is not "
            "available: a switchover synchronises the secondaries with it first. To promote a "
            "secondary without it, fail over with AllowDataLoss.",
        )
    g.drconsole_move = (target, old, data_loss, progress.describes())
    g.status = "pending"
    g.failover_state = {
        "Status": g.status,
        "FromDbClusterArn": old.db_cluster_arn if old is not None else None,
        "ToDbClusterArn": target.db_cluster_arn,
        "IsDataLossAllowed": data_loss,
    }
    return g


def global_cluster_moves():
    rds_models.GlobalCluster.global_cluster_members = property(_members)
    rds_models.GlobalCluster.failover_state = None

    def switchover_global_cluster(self):
        with progress.LOCK:
            g = _move(self.backend, self.params, data_loss=False)
        return rds_responses.ActionResult({"GlobalCluster": g})

    def failover_global_cluster(self):
        data_loss = str(self.params.get("AllowDataLoss", "")).lower() == "true"
        if data_loss and str(self.params.get("Switchover", "")).lower() == "true":
            raise RDSClientError(
                "InvalidParameterCombination",
                "AllowDataLoss can't be specified together with Switchover.",
            )
        with progress.LOCK:
            g = _move(self.backend, self.params, data_loss=data_loss)
        return rds_responses.ActionResult({"GlobalCluster": g})

    rds_responses.RDSResponse.switchover_global_cluster = switchover_global_cluster
    rds_responses.RDSResponse.failover_global_cluster = failover_global_cluster

    # Counted per request, not per backend call: a patch's own lookups are not describes.
    for name in ("describe_db_clusters", "describe_global_clusters", "describe_db_instances"):
        original = getattr(rds_responses.RDSResponse, name)

        def settled(self, *args, _original=original, **kwargs):
            _settle(self.backend)
            return _original(self, *args, **kwargs)

        setattr(rds_responses.RDSResponse, name, settled)
