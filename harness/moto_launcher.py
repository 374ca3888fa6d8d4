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
}


def patch_ecs_service_settings() -> None:
    """Gap: CreateService/UpdateService drop the capacity provider strategy, placement strategy,
    health check grace period, managed tags and ECS Exec, so DescribeServices returns none of them. The
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
