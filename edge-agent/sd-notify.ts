// The hub's systemd notifications: the one implementation lives in node-kit/, which the cloud service uses too.
export { SdNotify, type SdNotifyOptions } from '../node-kit/sd-notify';
