// Apollo Client with its persisted-queries link, as a first-party front end would use it.
// usage: node apq.mjs <graphql url> <bearer token>; prints what went over the wire and the answers as JSON.
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries/index.js";

const [url, token] = process.argv.slice(2);
const wire = [];
const recordingFetch = async (input, init) => {
  const body = JSON.parse(init.body);
  const response = await fetch(input, init);
  const copy = await response.clone().json();
  wire.push({ sentQuery: typeof body.query === "string", hash: body.extensions?.persistedQuery?.sha256Hash ?? null,
              status: response.status, errors: (copy.errors || []).map((e) => e.extensions?.code || e.message) });
  return response;
};
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const link = createPersistedQueryLink({ sha256 }).concat(
  new HttpLink({ uri: url, fetch: recordingFetch, headers: { authorization: `Bearer ${token}` } }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });
const query = gql`query ApolloViewer { viewer { username orgUnit { name } } }`;
const first = await client.query({ query, fetchPolicy: "network-only" });
const second = await client.query({ query, fetchPolicy: "network-only" });
console.log(JSON.stringify({ wire, first: first.data, second: second.data }));
