"""IAM `SimulatePrincipalPolicy` for moto, which does not implement it (moto 5.2.5 answers
it as an unknown action).

Modelled on the API reference:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
and the result shapes it returns:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResourceSpecificResult.html

- `PolicySourceArn` names an IAM user or role; a user's groups' policies are included. An
  unknown user or role is `NoSuchEntity` (HTTP 404), as IAM answers.
- The policies are those moto itself enforces for that principal when IAM is enforced
  (moto's `collect_policies` of a user's access key or of an assumed role), and every
  action is decided by moto's own policy evaluation (`moto.iam.access_control.IAMPolicy`):
  this patch decides nothing itself. An explicit Deny in any policy is `explicitDeny`; an
  Allow without one is `allowed`; neither is `implicitDeny`.
- Each action of `ActionNames` is evaluated for each resource of `ResourceArns` (`*` when
  none is given): one `EvaluationResult` per action, its `EvalDecision` the most
  restrictive of its resources', with a `ResourceSpecificResult` per resource.
- The caller needs `iam:SimulatePrincipalPolicy`: with IAM enforced (tests/moto/auth.py),
  moto's own access control refuses a caller without it before this code runs.

Not modelled: context keys and condition operators beyond what moto evaluates, permissions
boundaries, service control policies, resource-based policies (`ResourcePolicy`), paging
(`IsTruncated` is always false).
"""

from moto.core.responses import ActionResult
from moto.iam import access_control
from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.iam.exceptions import NotFoundException
from moto.iam.responses import IamResponse


def _policies_of(backend, account_id, partition, source_arn):
    """The policy documents moto enforces for the user or role `source_arn` names."""
    kind, _, name = source_arn.split(":", 5)[-1].partition("/")
    name = name.rsplit("/", 1)[-1]  # a path before the name
    if kind == "user":
        backend.get_user(name)  # NoSuchEntity when unknown
        holder = access_control.IAMUserAccessKey.__new__(access_control.IAMUserAccessKey)
        holder._owner_user_name = name
    elif kind == "role":
        backend.get_role(name)
        holder = access_control.AssumedRoleAccessKey.__new__(access_control.AssumedRoleAccessKey)
        holder._owner_role_name = name
    else:
        raise NotFoundException(f"PolicySourceArn {source_arn} is not a user or a role")
    holder.account_id = account_id
    holder.partition = partition
    return holder.collect_policies()


def _decide(policies, action, resource):
    allowed = False
    for policy in policies:
        result = IAMPolicy(policy).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return "explicitDeny"
        if result == PermissionResult.PERMITTED:
            allowed = True
    return "allowed" if allowed else "implicitDeny"


RANK = {"allowed": 0, "implicitDeny": 1, "explicitDeny": 2}


def simulate_principal_policy(self):
    source_arn = self._get_param("PolicySourceArn")
    actions = self._get_param("ActionNames", [])
    resources = self._get_param("ResourceArns", []) or ["*"]
    policies = _policies_of(self.backend, self.current_account, self.partition, source_arn)
    results = []
    for action in actions:
        specific = [
            {"EvalResourceName": r, "EvalResourceDecision": _decide(policies, action, r), "MatchedStatements": [], "MissingContextValues": []}
            for r in resources
        ]
        worst = max((s["EvalResourceDecision"] for s in specific), key=RANK.get)
        results.append(
            {
                "EvalActionName": action,
                "EvalResourceName": resources[0] if len(resources) == 1 else "*",
                "EvalDecision": worst,
                "MatchedStatements": [],
                "MissingContextValues": [],
                "ResourceSpecificResults": specific,
            }
        )
    return ActionResult({"EvaluationResults": results, "IsTruncated": False})


def simulate_principal_policy_patch():
    IamResponse.simulate_principal_policy = simulate_principal_policy
