import { describe, expect, it } from 'vitest';
import { loadConfig, loadS3Config } from './config';

describe('S3 configuration', () => {
  const full = {
    CHAT_S3_BUCKET: 'chat-files',
    CHAT_S3_REGION: 'eu-west-1',
    CHAT_S3_ACCESS_KEY_ID: 'AKIA',
    CHAT_S3_SECRET_ACCESS_KEY: 'secret',
  };

  it('is off without a bucket: uploads stay on disk', () => {
    expect(loadS3Config({})).toBeUndefined();
    expect(loadConfig({}).s3).toBeUndefined();
  });

  it('reads a bucket with its credentials, endpoints and path style', () => {
    expect(
      loadS3Config({
        ...full,
        CHAT_S3_ENDPOINT: 'http://minio:9000',
        CHAT_S3_PUBLIC_ENDPOINT: 'https://files.example.com',
        CHAT_S3_FORCE_PATH_STYLE: '1',
      }),
    ).toEqual({
      bucket: 'chat-files',
      region: 'eu-west-1',
      accessKeyId: 'AKIA',
      secretAccessKey: 'secret',
      endpoint: 'http://minio:9000',
      publicEndpoint: 'https://files.example.com',
      forcePathStyle: true,
    });
  });

  it('refuses a bucket without its credentials, and endpoints that are not http(s) URLs, naming them', () => {
    expect(() => loadS3Config({ CHAT_S3_BUCKET: 'b' })).toThrow(/CHAT_S3_REGION/);
    expect(() => loadS3Config({ ...full, CHAT_S3_SECRET_ACCESS_KEY: '' })).toThrow(
      /CHAT_S3_SECRET_ACCESS_KEY/,
    );
    expect(() => loadS3Config({ ...full, CHAT_S3_ENDPOINT: 'minio:9000' })).toThrow(/CHAT_S3_ENDPOINT/);
    expect(() => loadS3Config({ ...full, CHAT_S3_PUBLIC_ENDPOINT: 'ftp://x' })).toThrow(
      /CHAT_S3_PUBLIC_ENDPOINT/,
    );
  });
});
