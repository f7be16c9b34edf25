import { S3Client } from '@aws-sdk/client-s3';

// Endpoint from AWS_ENDPOINT_URL_S3 locally. Path-style addressing against an IP endpoint is the SDK's own
// choice there, so nothing here differs between AWS and the stand-in.
export const s3 = new S3Client({ maxAttempts: 4 });
