/** What a launch creates, and so what a launch template must tag: default_tags reach none of them. */
export const LAUNCH_TAGGED_RESOURCES = ['instance', 'volume', 'network-interface'] as const;
