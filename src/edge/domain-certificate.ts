import { Construct } from 'constructs';
import { Fn, TerraformIterator, Token } from 'cdktf';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';

/** Seconds resolvers may cache the validation CNAME. */
const VALIDATION_RECORD_TTL = 300;

export interface DomainCertificateProps {
  /** The public hosted zone: by name (looked up) or by id. Exactly one. */
  readonly zone: { readonly name: string } | { readonly id: string };
  /** The name clients use, in the zone. */
  readonly recordName: string;
  /**
   * A certificate managed elsewhere: no certificate or validation records are created, only the
   * alias. @default a new ACM certificate for recordName, validated through the zone
   */
  readonly certificateArn?: string;
}

/**
 * A DNS name for the load balancer: an ACM certificate for it, validated by DNS in the zone, and
 * (with `aliasTo`) the alias record. `certificateArn` is only known once the certificate is
 * issued, so a listener that uses it waits for issuance.
 */
export class DomainCertificate extends Construct {
  public readonly zoneId: string;
  public readonly recordName: string;
  /** The validated certificate's ARN (or the given one). */
  public readonly certificateArn: string;
  /** Undefined when a certificate ARN was given. */
  public readonly certificate?: AcmCertificate;
  public readonly validationRecord?: Route53Record;
  public readonly validation?: AcmCertificateValidation;
  /** Set by aliasTo. */
  public alias?: Route53Record;

  constructor(scope: Construct, id: string, props: DomainCertificateProps) {
    super(scope, id);
    this.recordName = props.recordName;
    this.zoneId =
      'id' in props.zone
        ? props.zone.id
        : // A name that is not a public zone of the account fails the plan: "no matching Route 53 Hosted Zone found".
          new DataAwsRoute53Zone(this, 'zone', { name: props.zone.name, privateZone: false }).zoneId;
    if (props.certificateArn !== undefined) {
      this.certificateArn = props.certificateArn;
      return;
    }
    this.certificate = new AcmCertificate(this, 'certificate', {
      domainName: props.recordName,
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      tags: { Name: props.recordName },
      // A new name replaces the certificate, and the listener holds the old one: AWS refuses to
      // delete a certificate in use, so the new one comes first.
      lifecycle: { createBeforeDestroy: true },
    });
    this.validationRecord = this.addValidationRecord(this.certificate);
    this.validation = new AcmCertificateValidation(this, 'validation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: [this.validationRecord.fqdn],
    });
    this.certificateArn = this.validation.certificateArn;
  }

  /**
   * The CNAME ACM asks for. domain_validation_options is a set, so it cannot be indexed; the one
   * entry for recordName is picked by name, which keeps the record a plain resource (no for_each)
   * whose address does not depend on the certificate.
   */
  private addValidationRecord(certificate: AcmCertificate): Route53Record {
    const options = TerraformIterator.fromComplexList(certificate.domainValidationOptions, 'domain_name');
    const field = (attribute: string) =>
      Token.asString(Fn.one(options.forExpressionForList(`val.${attribute} if val.domain_name == "${this.recordName}"`)));
    return new Route53Record(this, 'validation-record', {
      zoneId: this.zoneId,
      name: field('resource_record_name'),
      type: field('resource_record_type'),
      records: [field('resource_record_value')],
      ttl: VALIDATION_RECORD_TTL,
      // The record may already exist: ACM asks for the same CNAME for the same name in every
      // certificate of the account, e.g. the one this replaces.
      allowOverwrite: true,
    });
  }

  /** An A alias record from recordName to the load balancer (IPv4 only: the ALB is not dualstack). */
  public aliasTo(loadBalancer: Lb): Route53Record {
    this.alias = new Route53Record(this, 'alias', {
      zoneId: this.zoneId,
      name: this.recordName,
      type: 'A',
      alias: { name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true },
    });
    return this.alias;
  }
}
