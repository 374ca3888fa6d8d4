"""Runs moto's server on a free loopback port, patched where moto 5.2 falls short of what
terraform-provider-aws 5.100 needs to apply and destroy the host-name stacks.

Usage: python3 harness/moto_launcher.py   (prints "READY <port>" once it listens; stop with SIGTERM)
Each patch below is test scaffolding for an emulator gap, never a workaround for our own code.
"""
import json
import os
import signal
import sys
import threading
import uuid

# Gap: AWS managed policies (AmazonECSTaskExecutionRolePolicy, ...) exist in moto only when
# loaded, else every aws_iam_role_policy_attachment fails with NoSuchEntity. Read at import.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
# Gap: moto issues a DNS-validated certificate after MOTO_ACM_VALIDATION_WAIT seconds (default
# 60), whether or not the validation record exists; aws_acm_certificate_validation polls until
# then. Issue at the first describe instead: the harness checks the record exists itself.
os.environ.setdefault("MOTO_ACM_VALIDATION_WAIT", "0")

from werkzeug.serving import make_server  # noqa: E402

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse  # noqa: E402
from moto.autoscaling.responses import AutoScalingResponse  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402
from moto.ec2.exceptions import EC2ClientError  # noqa: E402
from moto.ec2.models.instances import InstanceBackend  # noqa: E402
from moto.ecs.models import Service  # noqa: E402
from moto.ecs.responses import EC2ContainerServiceResponse  # noqa: E402
from moto.elbv2.models import FakeLoadBalancer  # noqa: E402
from moto.logs.responses import LogsResponse  # noqa: E402
from moto.server import DomainDispatcherApplication, create_backend_app  # noqa: E402
from moto.utilities.tagging_service import TaggingService  # noqa: E402


def patch_ecs_empty_network_configuration() -> None:
    """Gap: a bridge-mode service has no networkConfiguration, but moto answers with an empty
    one ({}), and the provider dereferences its missing awsvpcConfiguration and panics
    (flattenNetworkConfiguration). Real ECS omits the field; so do we."""
    original = Service.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not self.network_configuration:
            self.network_configuration = None

    Service.__init__ = init


def patch_ecs_tasks_start() -> None:
    """Gap: moto runs no tasks, so a service's runningCount stays 0 (or MOTO_ECS_SERVICE_RUNNING,
    one number for every service) and the provider's wait_for_steady_state (one deployment,
    runningCount == desiredCount) would wait until its timeout. Start the desired tasks at once, as
    a healthy deployment ends on ECS."""
    original = Service.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.running_count = self.desired_count
        self.pending_count = 0
        for deployment in self.deployments:
            deployment.update(runningCount=self.desired_count, pendingCount=0, rolloutState="COMPLETED")

    Service.__init__ = init


# Service settings moto 5.2 accepts but does not keep; request parameter -> Service attribute.
ECS_SERVICE_SETTINGS = {
    "capacityProviderStrategy": "capacity_provider_strategy",
    "placementStrategy": "placement_strategy",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    # Circuit breaker, deployment alarms, minimum and maximum percent.
    "deploymentConfiguration": "deployment_configuration",
    "enableExecuteCommand": "enable_execute_command",
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
}


def patch_ecs_service_settings() -> None:
    """Gap: CreateService/UpdateService drop the capacity provider strategy, placement strategy,
    health check grace period, managed tags, ECS Exec and Availability Zone rebalancing, so DescribeServices
    returns none of them. The
    provider then plans to replace every service (capacity_provider_strategy forces a new one),
    which would hide a real replacement in the upgrade check. Keep them, as ECS does."""

    def keeping(action):
        def handler(self):
            body = action(self)
            name = self._get_param("serviceName") or self._get_param("service")
            cluster = self._get_param("cluster", "default")
            service = self.ecs_backend.describe_services(cluster, [name])[0][0]
            for param, attribute in ECS_SERVICE_SETTINGS.items():
                value = self._get_param(param)
                if value is not None:
                    setattr(service, attribute, value)
            return body

        return handler

    EC2ContainerServiceResponse.create_service = keeping(EC2ContainerServiceResponse.create_service)
    EC2ContainerServiceResponse.update_service = keeping(EC2ContainerServiceResponse.update_service)


def patch_application_autoscaling_tags() -> None:
    """Gap: Application Auto Scaling has no TagResource/UntagResource/ListTagsForResource in
    moto, and the provider retries the unknown action until its timeout. Keep tags per ARN, and
    record the Tags that RegisterScalableTarget carries, as AWS does."""
    tags = TaggingService(tag_name="Tags", key_name="Key", value_name="Value")

    def tag_list(mapping):
        return [{"Key": k, "Value": v} for k, v in (mapping or {}).items()]

    def tag_resource(self):
        tags.tag_resource(self._get_param("ResourceARN"), tag_list(self._get_param("Tags")))
        return json.dumps({})

    def untag_resource(self):
        tags.untag_resource_using_names(self._get_param("ResourceARN"), self._get_param("TagKeys") or [])
        return json.dumps({})

    def list_tags_for_resource(self):
        arn = self._get_param("ResourceARN")
        return json.dumps({"Tags": tags.get_tag_dict_for_resource(arn)})

    register = ApplicationAutoScalingResponse.register_scalable_target

    def register_scalable_target(self):
        body = register(self)
        tags.tag_resource(json.loads(body)["ScalableTargetARN"], tag_list(self._get_param("Tags")))
        return body

    ApplicationAutoScalingResponse.tag_resource = tag_resource
    ApplicationAutoScalingResponse.untag_resource = untag_resource
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
    ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target


def patch_autoscaling_instance_refresh() -> None:
    """Gap: StartInstanceRefresh is not implemented, and the provider starts one whenever an
    update changes the group's launch template version (instance_refresh block), so the apply
    retries the 500 until it gives up. Accept it and report it finished at once: there are no
    instances to roll."""
    refreshes: dict[str, list[dict]] = {}

    def start_instance_refresh(self):
        group = self._get_param("AutoScalingGroupName")
        refresh_id = str(uuid.uuid4())
        refreshes.setdefault(group, []).insert(0, {"InstanceRefreshId": refresh_id, "AutoScalingGroupName": group, "Status": "Successful", "PercentageComplete": 100})
        return ActionResult({"InstanceRefreshId": refresh_id})

    def describe_instance_refreshes(self):
        return ActionResult({"InstanceRefreshes": refreshes.get(self._get_param("AutoScalingGroupName"), [])})

    AutoScalingResponse.start_instance_refresh = start_instance_refresh
    AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes


def patch_elbv2_default_scheme() -> None:
    """Gap: the provider sends no Scheme for an internet-facing ALB (AWS's default), and moto
    stores None instead of applying the default, so DescribeLoadBalancers has no Scheme."""
    original = FakeLoadBalancer.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.scheme = self.scheme or "internet-facing"

    FakeLoadBalancer.__init__ = init


# RunInstances' answer to an existing interface next to an instance-level subnet.
INTERFACE_WITH_SUBNET = "Network interfaces and an instance-level subnet ID may not be specified on the same request"


def existing_interfaces(ec2_backend, template_spec: dict) -> list[dict]:
    """The launch template version's network interfaces that name an existing interface."""
    data = ec2_backend._get_template_from_args(template_spec).data
    return [ni for ni in data.get("NetworkInterfaces") or data.get("NetworkInterface") or [] if ni.get("NetworkInterfaceId")]


def patch_launch_template_network_interface() -> None:
    """Gap: an Auto Scaling group's launches ignore the launch template's NetworkInterfaces, so an
    instance never takes an existing interface named there (the NAT instance's), as EC2 makes it
    do; and terminating an instance leaves such an interface attached to it, where EC2 detaches it.
    Launch with the template's existing interfaces; detach what termination does not delete.
    Stricter, as AWS: an existing interface with an instance-level subnet (a group's
    VPCZoneIdentifier) is refused with RunInstances' error, at the launch and at an update that
    would make the group's next launch fail; the group must name the AZ only
    (https://docs.aws.amazon.com/autoscaling/ec2/userguide/create-launch-template.html)."""
    run_instances = InstanceBackend.run_instances

    def run(self, image_id, count, user_data, security_group_names, **kwargs):
        template = kwargs.get("launch_template")
        if template and not kwargs.get("nics"):
            existing = existing_interfaces(self, template)
            if existing:
                if kwargs.get("subnet_id"):
                    raise EC2ClientError("InvalidParameterCombination", INTERFACE_WITH_SUBNET)
                kwargs["nics"] = [{"DeviceIndex": ni.get("DeviceIndex", 0), "NetworkInterfaceId": ni["NetworkInterfaceId"]} for ni in existing]
        return run_instances(self, image_id, count, user_data, security_group_names, **kwargs)

    update_group = AutoScalingResponse.update_auto_scaling_group

    def update_auto_scaling_group(self):
        group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
        subnets = self._get_param("VPCZoneIdentifier") or (group.vpc_zone_identifier if group else None)
        template = self._get_param("LaunchTemplate") or (
            {"LaunchTemplateId": group.ec2_launch_template.id, "Version": group.launch_template_version} if group and group.ec2_launch_template else None
        )
        if subnets and template and existing_interfaces(self.autoscaling_backend.ec2_backend, template):
            raise EC2ClientError("InvalidParameterCombination", INTERFACE_WITH_SUBNET)
        return update_group(self)

    AutoScalingResponse.update_auto_scaling_group = update_auto_scaling_group
    InstanceBackend.run_instances = run

    from moto.ec2.models.instances import Instance

    terminate = Instance.terminate

    def terminate_detaching(self):
        kept = [nic for nic in self.nics.values() if not nic.delete_on_termination]
        state = terminate(self)
        # Detached from the interface's side only: the terminated instance still describes itself with it.
        for nic in kept:
            nic.instance = None
            nic.attachment_id = None
            nic.attach_time = None
            nic.device_index = None
            nic.status = "available"
        return state

    Instance.terminate = terminate_detaching


def patch_logs_kms_key_association() -> None:
    """Gap: AssociateKmsKey and DisassociateKmsKey are not implemented, and the provider calls them
    when a log group's kms_key_id changes in place, retrying the 500 until it gives up. Set or clear
    the group's key, as CloudWatch Logs does for data ingested from then on (the AWS docs'
    AssociateKmsKey with logGroupName; a missing group is ResourceNotFoundException)."""

    def set_key(self, key_id):
        name = self._get_param("logGroupName")
        group = self.logs_backend.groups.get(name)
        if group is None:
            from moto.logs.exceptions import ResourceNotFoundException

            raise ResourceNotFoundException()
        group.kms_key_id = key_id
        return ""

    LogsResponse.associate_kms_key = lambda self: set_key(self, self._get_param("kmsKeyId"))
    LogsResponse.disassociate_kms_key = lambda self: set_key(self, None)


def patch_launch_template_version_user_data() -> None:
    """Gap: CreateLaunchTemplateVersion stores UserData as a plain string, where CreateLaunchTemplate
    parses it; a group launching from such a version fails moto's own assertion (500), so a template
    updated in place (an upgrade's new version) could never launch. Parse it the same way, as EC2
    keeps one UserData format for every version (CreateLaunchTemplateVersion, the AWS API reference)."""
    from moto.ec2.responses.launch_templates import LaunchTemplates
    from moto.ec2.utils import parse_user_data

    original = LaunchTemplates.create_launch_template_version

    def create_version(self):
        get_param = self._get_param

        def parsed(name, default=None):
            value = get_param(name, default)
            if name == "LaunchTemplateData" and isinstance(value, dict) and "UserData" in value:
                value = {**value, "UserData": parse_user_data(get_param("LaunchTemplateData.UserData"))}
            return value

        self._get_param = parsed
        try:
            return original(self)
        finally:
            del self._get_param

    LaunchTemplates.create_launch_template_version = create_version


def patch_application_autoscaling_missing_policy() -> None:
    """Gap: DeleteScalingPolicy for a policy that is not there answers ValidationException, where
    Application Auto Scaling answers ObjectNotFoundException (the API reference's DeleteScalingPolicy
    errors). The provider treats that one as already deleted: a delete the SDK retried after its
    first attempt went through then failed the destroy here, and would not on AWS. Answer as AWS does."""
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend, FakeApplicationAutoscalingPolicy
    from moto.core.exceptions import JsonRESTError

    original = ApplicationAutoscalingBackend.delete_scaling_policy

    def delete_scaling_policy(self, policy_name, service_namespace, resource_id, scalable_dimension):
        key = FakeApplicationAutoscalingPolicy.formulate_key(service_namespace, resource_id, scalable_dimension, policy_name)
        if key not in self.policies:
            raise JsonRESTError("ObjectNotFoundException", f"No scaling policy found for service namespace: {service_namespace}, resource ID: {resource_id}, scalable dimension: {scalable_dimension}, policy name: {policy_name}")
        return original(self, policy_name, service_namespace, resource_id, scalable_dimension)

    ApplicationAutoscalingBackend.delete_scaling_policy = delete_scaling_policy


def patch_ecs_missing_capacity_provider() -> None:
    """Gap: DeleteCapacityProvider of a provider that is not there raises inside moto (an AttributeError,
    answered 500, which the SDK retries for minutes), where ECS answers ClientException "The specified
    capacity provider does not exist" (the API reference's DeleteCapacityProvider errors). The provider
    takes that one as already deleted. Answer as ECS does."""
    from moto.ecs.exceptions import EcsClientException
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend.delete_capacity_provider

    def delete_capacity_provider(self, name_or_arn):
        if self._get_provider(name_or_arn) is None:
            raise EcsClientException("The specified capacity provider does not exist. Specify a valid name or ARN and try again.")
        return original(self, name_or_arn)

    EC2ContainerServiceBackend.delete_capacity_provider = delete_capacity_provider


def codedeploy_backend(response):
    return response.codedeploy_backend


def patch_codedeploy_deletes() -> None:
    """Gap: DeleteApplication and DeleteDeploymentGroup are not implemented, and the provider's destroy
    retries the 500 until it gives up. Delete them as CodeDeploy does: a group by application and name,
    an application with its groups; neither API reference lists an error for one already gone."""
    from moto.codedeploy.responses import CodeDeployResponse

    def delete_deployment_group(self):
        backend = codedeploy_backend(self)
        backend.deployment_groups.get(self._get_param("applicationName"), {}).pop(self._get_param("deploymentGroupName"), None)
        return json.dumps({"hooksNotCleanedUp": []})

    def delete_application(self):
        backend = codedeploy_backend(self)
        name = self._get_param("applicationName")
        backend.applications.pop(name, None)
        backend.deployment_groups.pop(name, None)
        return json.dumps({})

    CodeDeployResponse.delete_deployment_group = delete_deployment_group
    CodeDeployResponse.delete_application = delete_application


# UpdateDeploymentGroup's request members -> DeploymentGroup attributes (CreateDeploymentGroup's, by the same names).
CODEDEPLOY_GROUP_SETTINGS = {
    "deploymentConfigName": "deployment_config_name",
    "ec2TagFilters": "ec2_tag_filters",
    "onPremisesInstanceTagFilters": "on_premises_instance_tag_filters",
    "autoScalingGroups": "auto_scaling_groups",
    "serviceRoleArn": "service_role_arn",
    "triggerConfigurations": "trigger_configurations",
    "alarmConfiguration": "alarm_configuration",
    "autoRollbackConfiguration": "auto_rollback_configuration",
    "outdatedInstancesStrategy": "outdated_instances_strategy",
    "deploymentStyle": "deployment_style",
    "blueGreenDeploymentConfiguration": "blue_green_deployment_configuration",
    "loadBalancerInfo": "load_balancer_info",
    "ec2TagSet": "ec2_tag_set",
    "ecsServices": "ecs_services",
    "onPremisesTagSet": "on_premises_tag_set",
    "terminationHookEnabled": "termination_hook_enabled",
}


def patch_codedeploy_update_deployment_group() -> None:
    """Gap: UpdateDeploymentGroup is not implemented, so any in-place change of a deployment group
    retries the 500 until the provider gives up. Change what the request names, renaming the group with
    newDeploymentGroupName, as CodeDeploy does; an unknown group is DeploymentGroupDoesNotExistException."""
    from moto.codedeploy.responses import CodeDeployResponse

    def update_deployment_group(self):
        backend = codedeploy_backend(self)
        application = self._get_param("applicationName")
        group = backend.get_deployment_group(application, self._get_param("currentDeploymentGroupName"))
        for param, attribute in CODEDEPLOY_GROUP_SETTINGS.items():
            value = self._get_param(param)
            if value is not None:
                setattr(group, attribute, value)
        new_name = self._get_param("newDeploymentGroupName")
        if new_name and new_name != group.deployment_group_name:
            groups = backend.deployment_groups[application]
            groups[new_name] = groups.pop(group.deployment_group_name)
            group.deployment_group_name = new_name
        return json.dumps({"hooksNotCleanedUp": []})

    CodeDeployResponse.update_deployment_group = update_deployment_group


def patch_codedeploy_alarm_configuration() -> None:
    """Gap: CreateDeploymentGroup keeps alarmConfiguration but GetDeploymentGroup answers {}, so every
    re-plan would put the alarms back. Answer what was set, as CodeDeploy does (alarms, enabled,
    ignorePollAlarmFailure), and CodeDeploy's default outdatedInstancesStrategy, UPDATE, when none was set."""
    from moto.codedeploy.models import DeploymentGroup

    to_dict = DeploymentGroup.to_dict

    def with_alarms(self):
        d = to_dict(self)
        alarms = self.alarm_configuration
        if isinstance(alarms, dict):
            d["alarmConfiguration"] = {"enabled": False, "ignorePollAlarmFailure": False, "alarms": [], **alarms}
        d["outdatedInstancesStrategy"] = d.get("outdatedInstancesStrategy") or "UPDATE"
        return d

    DeploymentGroup.to_dict = with_alarms


def epoch_seconds(value):
    """An ISO 8601 timestamp as the JSON protocol's epoch seconds; None and numbers as they are."""
    from datetime import datetime

    if not isinstance(value, str):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def patch_codedeploy_timestamps() -> None:
    """Gap: moto answers CodeDeploy's timestamps (an application's createTime, a deployment's createTime,
    startTime, completeTime) as ISO 8601 strings, where the JSON 1.1 protocol and the API reference have
    epoch seconds; the provider's SDK refuses the answer ("expected Timestamp to be a JSON Number"). Answer
    numbers, as CodeDeploy does."""
    from moto.codedeploy.models import Application, DeploymentInfo

    def numeric(to_dict, fields):
        def convert(self):
            d = to_dict(self)
            for field in fields:
                if d.get(field) is not None:
                    d[field] = epoch_seconds(d[field])
            return d

        return convert

    Application.to_dict = numeric(Application.to_dict, ["createTime"])
    DeploymentInfo.to_dict = numeric(DeploymentInfo.to_dict, ["createTime", "startTime", "completeTime"])


def is_approval_wait(group) -> bool:
    """A blue/green group that holds the replacement for someone to continue (STOP_DEPLOYMENT with a wait)."""
    ready = (group.blue_green_deployment_configuration or {}).get("deploymentReadyOption") or {}
    return ready.get("actionOnTimeout") == "STOP_DEPLOYMENT"


def forward_targets(actions) -> list[str]:
    """The target groups forward actions send traffic to: TargetGroupArn, or ForwardConfig's groups of weight above 0."""
    targets = []
    for a in actions:
        if a.data.get("Type") != "forward":
            continue
        if a.data.get("TargetGroupArn"):
            targets.append(a.data["TargetGroupArn"])
        for tg in (a.data.get("ForwardConfig") or {}).get("TargetGroups", []):
            if int(tg.get("Weight", 1)) > 0:
                targets.append(tg["TargetGroupArn"])
    return targets


def weighted_forward(serving: str, idle: str) -> list[dict]:
    """The forward CodeDeploy leaves after a deployment: all traffic to the replacement, the original kept at weight 0."""
    return [{"Type": "forward", "Order": 1, "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": serving, "Weight": 100}, {"TargetGroupArn": idle, "Weight": 0}]}}]


def reroute(elbv2, listener_arns: list[str], original: str, replacement: str) -> None:
    """Every rule (and default action) of the listeners that forwards to `original` forwards to `replacement`."""
    from moto.elbv2.models import FakeAction

    for listener in elbv2.describe_listeners(load_balancer_arn=None, listener_arns=listener_arns):
        for rule in list(listener._non_default_rules.values()):
            if original in forward_targets(rule.actions):
                elbv2.modify_rule(rule.arn, [], weighted_forward(replacement, original))
        if original in forward_targets(listener.default_actions):
            actions = [FakeAction(a) for a in weighted_forward(replacement, original)]
            listener.default_actions = actions
            listener._default_rule[0].actions = actions


def run_ecs_blue_green(region: str, account: str, group, content: str) -> None:
    """What an ECS blue/green deployment does, from its AppSpec: a replacement task set of the AppSpec's task
    definition behind the idle target group of the pair, the test and production listeners moved to it,
    the replacement made PRIMARY and the original task set removed."""
    import yaml
    from moto.ecs.models import ecs_backends
    from moto.elbv2.models import elbv2_backends

    spec = yaml.safe_load(content)  # JSON is YAML
    target = spec["Resources"][0]["TargetService"]["Properties"]
    ecs, elbv2 = ecs_backends[account][region], elbv2_backends[account][region]
    [service] = group.ecs_services
    [pair] = group.load_balancer_info["targetGroupPairInfoList"]
    names = [t["name"] for t in pair["targetGroups"]]
    arns = [tg.arn for tg in elbv2.describe_target_groups(load_balancer_arn=None, target_group_arns=[], names=names)]
    production = pair["prodTrafficRoute"]["listenerArns"]
    listeners = elbv2.describe_listeners(load_balancer_arn=None, listener_arns=production)
    # The original is the target group of the pair that production traffic goes to; the replacement, the other.
    original = next(tg for listener in listeners for rule in listener.rules.values() for tg in forward_targets(rule.actions) if tg in arns)
    replacement = next(a for a in arns if a != original)
    info = target["LoadBalancerInfo"]
    ecs_service = ecs._get_service(service["clusterName"], service["serviceName"])
    old_sets = list(ecs_service.task_sets)
    task_set = ecs.create_task_set(
        service["serviceName"],
        service["clusterName"],
        target["TaskDefinition"],
        load_balancers=[{"targetGroupArn": replacement, "containerName": info["ContainerName"], "containerPort": info["ContainerPort"]}],
        capacity_provider_strategy=target.get("CapacityProviderStrategy"),
        launch_type=None if target.get("CapacityProviderStrategy") else "EC2",
    )
    reroute(elbv2, (pair.get("testTrafficRoute") or {}).get("listenerArns", []), original, replacement)
    reroute(elbv2, production, original, replacement)
    ecs.update_service_primary_task_set(service["clusterName"], service["serviceName"], task_set.task_set_arn)
    for old in old_sets:
        ecs.delete_task_set(service["clusterName"], service["serviceName"], old.task_set_arn)


def patch_codedeploy_ecs_deployments() -> None:
    """Gap: a deployment stays Created forever; CodeDeploy runs it. For an ECS blue/green group, run it as
    CodeDeploy does (run_ecs_blue_green) and mark it Succeeded, at once (moto starts no tasks to wait for);
    a group with an approval wait (STOP_DEPLOYMENT) holds it Ready until ContinueDeployment, then runs it.
    What CodeDeploy refuses, so does this: a deployment of a group that has one in progress
    (DeploymentLimitExceededException), ContinueDeployment of one that is not Ready
    (DeploymentIsNotInReadyStateException)."""
    from moto.codedeploy.models import CodeDeployBackend
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.exceptions import JsonRESTError
    from moto.core.utils import iso_8601_datetime_with_milliseconds

    original = CodeDeployBackend.create_deployment

    def finish(backend, deployment) -> None:
        content = (deployment.revision or {}).get("appSpecContent", {}).get("content")
        run_ecs_blue_green(backend.region_name, backend.account_id, deployment.deployment_group, content)
        deployment.status = "Succeeded"
        deployment.complete_time = iso_8601_datetime_with_milliseconds()

    def create_deployment(self, application_name, deployment_group_name, *args, **kwargs):
        active = [d for d in self.deployments.values() if d.application_name == application_name and d.deployment_group_name == deployment_group_name and d.status in ("Created", "Queued", "InProgress", "Ready")]
        if active:
            raise JsonRESTError("DeploymentLimitExceededException", f"The Deployment Group '{deployment_group_name}' already has an active Deployment '{active[0].deployment_id}'")
        deployment_id = original(self, application_name, deployment_group_name, *args, **kwargs)
        deployment = self.deployments[deployment_id]
        group = deployment.deployment_group
        if group.application.compute_platform != "ECS":
            return deployment_id
        deployment.start_time = iso_8601_datetime_with_milliseconds()
        if is_approval_wait(group):
            deployment.status = "Ready"
        else:
            finish(self, deployment)
        return deployment_id

    def continue_deployment(self):
        backend = codedeploy_backend(self)
        deployment = backend.get_deployment(self._get_param("deploymentId"))
        if deployment.status != "Ready":
            raise JsonRESTError("DeploymentIsNotInReadyStateException", f"The deployment {deployment.deployment_id} is not in the Ready state")
        finish(backend, deployment)
        return json.dumps({})

    CodeDeployBackend.create_deployment = create_deployment
    CodeDeployResponse.continue_deployment = continue_deployment


def serialized(app):
    """moto's backends are plain dicts with no locks (getmoto/moto#372), and the threaded server
    runs terraform's parallel requests at once: a request that raced another one mutated state,
    then answered 500, and the SDK's retry of it met its own effect (RouteAlreadyExists,
    ListenerNotFound). AWS applies each request atomically; so does this, one at a time."""
    lock = threading.Lock()

    def handle(environ, start_response):
        with lock:
            return [b"".join(app(environ, start_response))]

    return handle


def main() -> None:
    patch_ecs_empty_network_configuration()
    patch_ecs_tasks_start()
    patch_ecs_service_settings()
    patch_application_autoscaling_tags()
    patch_elbv2_default_scheme()
    patch_autoscaling_instance_refresh()
    patch_launch_template_network_interface()
    patch_logs_kms_key_association()
    patch_launch_template_version_user_data()
    patch_application_autoscaling_missing_policy()
    patch_ecs_missing_capacity_provider()


    patch_codedeploy_timestamps()
    patch_codedeploy_deletes()
    patch_codedeploy_update_deployment_group()
    patch_codedeploy_alarm_configuration()
    patch_codedeploy_ecs_deployments()
    app = serialized(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    os.environ["MOTO_PORT"] = str(server.port)
    # SIGTERM from the harness (also on Ctrl-C there) ends the server cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {server.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
