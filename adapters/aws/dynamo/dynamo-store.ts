/** Composes every DynamoDB store adapter over one table into the core's `Store`. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Store } from '../../../core/ports.ts';
import { DynamoCampaignRunStore } from './campaign-run-store.ts';
import { DynamoCsqlStore } from './csql-store.ts';
import { DynamoContactListing } from './contact-listing.ts';
import { DynamoCustomerStore } from './customer-store.ts';
import { DynamoDispatchProgressStore } from './dispatch-progress-store.ts';
import { DynamoEngagementStore, DynamoSuppressionStore } from './engagement-store.ts';
import { DynamoEnrollmentStore } from './enrollment-store.ts';
import { DynamoErasureStore } from './erasure-store.ts';
import { DynamoSendingPauseStore } from './pause-store.ts';
import { DynamoPipelineStore } from './pipeline-store.ts';
import { DynamoScoreStore } from './score-store.ts';
import { DynamoSendStore } from './send-store.ts';
import { DynamoStrandedClaimStore } from './stranded-claim-store.ts';
import { DynamoSurveyStore } from './survey-store.ts';
import { DynamoKpiStore } from './kpi-store.ts';
import { DynamoTable } from './dynamo-table.ts';
import { DynamoUsageStore } from './usage-store.ts';
import { DynamoWebinarStore } from './webinar-store.ts';

export function createDynamoStore(client: DynamoDBClient, tableName: string): Store {
  const table = new DynamoTable(client, tableName);
  return {
    customers: new DynamoCustomerStore(table),
    campaignRuns: new DynamoCampaignRunStore(table),
    sends: new DynamoSendStore(table),
    engagement: new DynamoEngagementStore(table),
    suppressions: new DynamoSuppressionStore(table),
    webinars: new DynamoWebinarStore(table),
    enrollments: new DynamoEnrollmentStore(table),
    scores: new DynamoScoreStore(table),
    contactListing: new DynamoContactListing(table),
    dispatchProgress: new DynamoDispatchProgressStore(table),
    csql: new DynamoCsqlStore(table),
    pauses: new DynamoSendingPauseStore(table),
    usage: new DynamoUsageStore(table),
    pipeline: new DynamoPipelineStore(table),
    surveys: new DynamoSurveyStore(table),
    kpis: new DynamoKpiStore(table),
    strandedClaims: new DynamoStrandedClaimStore(table),
    erasure: new DynamoErasureStore(table),
  };
}
