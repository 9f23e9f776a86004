/** The customer a portal request is made by, authenticated, in one live session. */
export interface PortalActor {
  customerId: string;
  sessionId: string;
  email: string;
}
