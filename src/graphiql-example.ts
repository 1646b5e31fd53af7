// The query GraphiQL opens on: the CryptoCore story in one request.
export const exampleQuery = `# The CryptoCore campaign: its names and who coined them, the attribution
# history (a superseded Eastern European lead, then Lazarus), tools and victims.
# Press the run button (or Ctrl-Enter). Docs: the book icon on the left.
{
  campaign(name: "Dangerous Password") {
    name
    firstSeen
    estimatedLossUsd
    names { nodes { value coinedBy { name } } }
    attributions {
      nodes {
        assessedOn
        status
        confidenceLabel
        actor { name originCountry }
        attributedToDescription
        citations { nodes { source { title publisher { name } url } excerpt } }
      }
    }
    toolUsages { nodes { tool { name kind } } }
    targetings { totalCount nodes { victim { name kind country } } }
  }
  resolveName(name: "CageyChameleon") { entity { __typename ... on Campaign { name } ... on Tool { name } } }
}
`;
