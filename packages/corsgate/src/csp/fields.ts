/** A CSP Trusted Site's fields, as Salesforce's CspTrustedSite defines them, and the names and limits around them. */
/** Salesforce's CspTrustedSite fields (Metadata API v67), as the admin API and the console name them. */
export interface TrustedSite {
  name: string;
  endpointUrl: string;
  context: string;
  isActive: boolean;
  description?: string;
  isApplicableToConnectSrc: boolean;
  isApplicableToFontSrc: boolean;
  isApplicableToFrameSrc: boolean;
  isApplicableToImgSrc: boolean;
  isApplicableToMediaSrc: boolean;
  isApplicableToStyleSrc: boolean;
  /** Permissions-Policy grants (API 59+): the site may use the camera / microphone. Absent: false. */
  canAccessCamera?: boolean;
  canAccessMicrophone?: boolean;
}

/** The two Permissions-Policy fields of a trusted site (API 59+), in WSDL order. */
export const PERMISSION_FIELDS = ['canAccessCamera', 'canAccessMicrophone'] as const;

export interface FieldProblem {
  code: string;
  field: string;
  message: string;
}

/** The six directives a trusted site can widen, in the order the header lists them. */
export const DIRECTIVE_FIELDS = [
  ['connect-src', 'isApplicableToConnectSrc'],
  ['font-src', 'isApplicableToFontSrc'],
  ['frame-src', 'isApplicableToFrameSrc'],
  ['img-src', 'isApplicableToImgSrc'],
  ['media-src', 'isApplicableToMediaSrc'],
  ['style-src', 'isApplicableToStyleSrc'],
] as const;

/** CspTrustedSiteContext values (Metadata API v67). */
export const CONTEXTS = [
  'All',
  'LEX',
  'Communities',
  'FieldServiceMobileExtension',
  'VisualForce',
  'LightningOut',
] as const;

/** Salesforce's advice: keep the header under 12 KB; trouble starts near 16 KB. */
export const CSP_SIZE_WARNING = 12 * 1024;

/** Salesforce API names: letters, digits and single underscores, starting with a letter (no trailing `_`). */
export const API_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;
