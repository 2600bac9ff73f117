export { type CreatedDestination, createDestination } from "./create-destination";
export { deleteDestination } from "./delete-destination";
export { type DeliveryPassReport, deliverDueNotifications, kickNotificationDelivery, runNotificationDelivery } from "./deliver";
export { enqueueAlertNotifications } from "./enqueue-alert-notifications";
export { enqueuePage, type QueuedPage } from "./enqueue-page";
export { enqueueRotationFailure } from "./enqueue-rotation-failure";
export { mapEscalationRole, readEscalationRoles, unmapEscalationRole } from "./map-escalation-role";
export {
  type AlertOpenedBody,
  alertBody,
  escapeSlack,
  type IncidentPage,
  type IncidentPagedBody,
  jsonAlertBody,
  jsonIncidentPagedBody,
  type NotificationKind,
  type SlackBody,
  slackAlertBody,
  slackIncidentPagedBody,
  type TestBody,
  testBody,
} from "./payloads";
export { MAX_ATTEMPTS, MAX_ATTEMPTS_REFUSED, RETRY_DELAYS_SECONDS } from "./retry-schedule";
export { type RotatedKey, rotateSigningKey } from "./rotate-signing-key";
export { type DeliveryFilters, deliveryFiltersSchema, destinationIdSchema } from "./schemas";
export { sendTestNotification } from "./send-test-notification";
export { SIGNATURE_HEADER, signingKeyFor, TIMESTAMP_HEADER, verifySignature } from "./signing";
export { updateDestination } from "./update-destination";
