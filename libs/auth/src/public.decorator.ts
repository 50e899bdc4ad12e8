import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'accanto:auth:public';

/** Opts a route (or controller) out of authentication; everything else needs a valid bearer token. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
