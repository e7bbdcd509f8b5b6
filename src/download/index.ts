export { DownloadServer, type DownloadRequestHandler, type DownloadLimits } from './download-server.ts';
export { createDownloadHandler, SESSION_HEADER, LINK_PREFIX, type DownloadHandlerDeps } from './download-handler.ts';
export { createLink } from './download-links.ts';
export { hashSecret } from './link-token.ts';
