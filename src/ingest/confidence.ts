// Sources state confidence in words ("medium", "MEDIUM-HIGH likelihood"); the API also gives a
// number on 0-100. The number is derived from the label with the STIX 2.1 "None / Low / Med / High"
// scale (Appendix A of the STIX 2.1 specification: None 0, Low 15, Med 50, High 85); a label between
// two levels ("medium-high") takes the midpoint, rounded.
const scale: Record<string, number> = {
  none: 0,
  low: 15,
  'low-medium': 33,
  medium: 50,
  moderate: 50,
  'medium-high': 68,
  high: 85,
  // MISP's estimative-language likelihoods (midpoints of their ranges)
  'almost-no-chance': 3,
  'very-unlikely': 12,
  unlikely: 30,
  'roughly-even-chance': 50,
  likely: 70,
  'very-likely': 87,
  'almost-certain': 97,
};

export function confidenceFromLabel(label: string | null | undefined): number | null {
  if (!label) return null;
  const key = label.trim().toLowerCase().replace(/\s+/g, '-').replace(/^med-/, 'medium-').replace(/^med$/, 'medium');
  return scale[key] ?? null;
}

export const knownConfidenceLabels = Object.keys(scale);
