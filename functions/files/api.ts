import { UPLOAD_ENDPOINTS } from '#files/endpoints.ts';
import { listUploads } from '#files/upload-list.ts';
import { uploadProgress } from '#files/upload-progress.ts';
import { startUpload } from '#files/upload-start.ts';
import { httpHandler, route } from '#platform/http/handler.ts';

/** The uploads API: a presigned URL to drop a file, then its progress and results. */
export const handler = httpHandler(
  route(UPLOAD_ENDPOINTS, {
    'POST /v1/uploads': startUpload,
    'GET /v1/uploads': listUploads,
    'GET /v1/uploads/{upload_id}': uploadProgress,
  }),
);
