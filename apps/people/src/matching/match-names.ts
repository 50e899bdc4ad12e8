// Name folding, a phonetic key and token similarity for matching people across partners.
// See docs/adr/0007-person-matching.md. Written here rather than taken from npm: the packages that
// exist (double-metaphone, talisman) encode English pronunciation and, measured on the variant
// families below, miss Mehmet/Mohamed, Jallo/Diallo, Bohdan/Bogdan; Jaro-Winkler is thirty lines.

const cyrillic: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ґ: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  є: 'ye',
  ж: 'zh',
  з: 'z',
  и: 'i',
  і: 'i',
  ї: 'yi',
  й: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};
// Letters that Unicode decomposition leaves alone.
const special: Record<string, string> = {
  ß: 'ss',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
  ħ: 'h',
};

/** Lower-case ASCII letters and spaces: accents, Romanian ș ț ă â î, Cyrillic and apostrophes folded. */
export function foldName(value: string): string {
  return (
    [...value.toLowerCase()]
      .map((c) => cyrillic[c] ?? special[c] ?? c)
      .join('')
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      // N'Diaye, D'Angelo, O'Brien: the apostrophe is spelling, not a word break.
      .replace(/['’‘`´]/g, '')
      .replace(/[^a-z]+/g, ' ')
      .trim()
  );
}

// Particles written joined or apart: "Ben Ali" / "Benali", "De Luca" / "Deluca", "El Amrani".
const particles = new Set([
  'n', // N Diaye, M Baye: the apostrophe of N'Diaye written as a space
  'm',
  'ben',
  'bin',
  'ibn',
  'ould',
  'de',
  'di',
  'da',
  'del',
  'della',
  'dello',
  'van',
  'von',
  'el',
  'al',
  'le',
  'la',
  'mac',
  'mc',
  'abu',
  'abou',
  'bou',
]);
const abd = /^abd(?:el|ul|al|oul|ou|il|ol)?$/;
const abdJoined = /^abd(?:el|ul|al|oul|il|ol)(?=[a-z]{3})/;
// Street names often carry an Italian article: "il Professore", "la Rossa".
const articles = new Set(['il', 'lo', 'la', 'l', 'i', 'gli', 'le', 'the']);

/** Words of a name with particles attached and the "servant of" prefix written one way. */
export function nameTokens(value: string | null | undefined): string[] {
  if (!value) return [];
  const words = foldName(value).split(' ').filter(Boolean);
  const tokens: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const next = words[i + 1];
    if (abd.test(word) && next !== undefined) {
      // Abd el Kader, Abd-al-Kader, Abdel Kader, Abdulkader: one name, one token.
      const article = ['el', 'al', 'ul', 'il', 'ol'].includes(next) && words[i + 2] !== undefined;
      tokens.push(`abdel${article ? words[i + 2] : next}`);
      i += article ? 2 : 1;
    } else if (particles.has(word) && next !== undefined) {
      tokens.push(word + next);
      i += 1;
    } else {
      tokens.push(word.replace(abdJoined, 'abdel'));
    }
  }
  return tokens;
}

/** An alias as one comparable string, without a leading article. */
export function aliasText(value: string): string {
  const words = foldName(value).split(' ').filter(Boolean);
  const start = words.length > 1 && articles.has(words[0]) ? 1 : 0;
  return words.slice(start).join('');
}

// Ordered rewrites from spelling to sound, tuned for the names met in Milan's streets: Italian,
// Romanian, Maghreb and Egyptian Arabic (French and English transliterations), West African
// (French spellings), Slavic names typed in Latin letters.
const phoneticRules: Array<[RegExp, string]> = [
  // French spellings: a mute final e (Hassane / Hassan, Amine / Amin, Diope / Diop), and "ou" before
  // a vowel where English writes w (Redouane / Redwan, Oualid / Walid, Alaoui / Alawi).
  [/([^aeiouyh])e$/, '$1'], // not after h: Gheorghe / Gheorghi, where the e is heard
  [/ou(?=[aei])/g, 'w'],
  [/t[sz]$/, 't'], // Ionuț typed Ionutz / Ionuts
  [/tsch|tch|sch|sh|ch|sz|cz/g, 'x'],
  [/dzh|zh|rz|dj/g, 'j'],
  [/d[iy](?=[aeou])/g, 'j'], // Diallo / Jallo / Djalo, Ndiaye
  [/kh/g, 'h'],
  [/gh/g, 'g'],
  [/ph/g, 'f'],
  [/th/g, 't'],
  [/dh/g, 'd'],
  [/c(?=[eiy])/g, 's'], // Youcef / Youssef
  [/ck|c|q/g, 'k'],
  [/x/g, 'ks'],
  [/w/g, 'v'],
  [/v/g, 'f'], // Ivanov / Ivanoff
  [/z/g, 's'],
  [/p/g, 'b'],
  [/t/g, 'd'], // Mehmet / Mohamed
  [/h/g, ''], // Mohamed / Moamed, Khaled / Haled, Hassan / Assane
  [/[aeiouy]+/g, 'a'], // vowels vary most across transliterations: only where they are is kept
  [/([a-z])\1+/g, '$1'],
];

/** A key equal for spellings of one name: Mohamed, Muhammad, Mehmet; Youssef, Yusuf, Youcef. */
export function phoneticKey(token: string): string {
  let key = token;
  for (const [pattern, replacement] of phoneticRules) key = key.replace(pattern, replacement);
  return key;
}

/**
 * The first three letters of a name, and what they would be had one of letters 2 to 4 been
 * dropped or doubled by a slip: "mario", "mrio" and "maario" share "mar" or "mri".
 */
export function prefixVariants(token: string): string[] {
  if (token.length <= 3) return [token];
  const variants = new Set([token.slice(0, 3)]);
  for (let k = 1; k <= 3 && k < token.length; k++)
    variants.add((token.slice(0, k) + token.slice(k + 1)).slice(0, 3));
  return [...variants];
}

// Spellings no rule links: the same name in another language or tradition. Kept short on purpose:
// each entry makes two different people look alike too.
const equivalentGroups = [
  ['mohamed', 'mohammed', 'muhammad', 'mohamad', 'mohammad', 'mehmet', 'mouhamed', 'muhamed'],
  ['youssef', 'yusuf', 'youssouf', 'yousef', 'jusuf', 'joseph', 'giuseppe', 'iosif', 'josef'],
  ['ibrahim', 'ibrahima', 'brahim', 'ebrahim', 'abraham', 'avram'],
  ['souleymane', 'suleiman', 'sulayman', 'sleiman', 'souleiman', 'solomon'],
  ['moussa', 'musa', 'mousa', 'mose', 'moses'],
  ['ismail', 'ismael', 'ismaila', 'smail', 'ismaele'],
  ['aissatou', 'aisha', 'aicha', 'aissa', 'aisata'],
  ['fatoumata', 'fatima', 'fatma', 'fatou'],
  ['ousmane', 'usman', 'osman', 'othmane', 'uthman', 'ousman', 'othman'],
  ['boubacar', 'aboubacar', 'abubakar', 'aboubakar', 'boubakar', 'abubakr'],
  ['abdoulaye', 'abdullah', 'abdallah', 'abdellah', 'abdoulah'],
  ['moustapha', 'mustafa', 'mostafa', 'mustapha', 'moustafa'],
  ['gheorghe', 'george', 'giorgio', 'georgi', 'georges', 'jorge'],
  ['yuri', 'iurii', 'yuriy', 'jurij', 'juri'],
  ['ion', 'ioan', 'ivan', 'giovanni', 'jean', 'john', 'ivano'],
  ['mihai', 'mihail', 'michele', 'mikhail', 'michael', 'mykhailo', 'michel'],
  ['vasile', 'vasyl', 'vasili', 'vasily', 'vasilii', 'basilio'],
  ['nicolae', 'nicola', 'nikolai', 'nikolay', 'mykola', 'nicolas', 'niccolo'],
  ['alexandru', 'alessandro', 'aleksandr', 'alexander', 'oleksandr', 'alexandre', 'aleksander'],
  ['dumitru', 'dimitri', 'dmitri', 'dmitry', 'dmytro', 'demetrio', 'dmitrii'],
  ['petru', 'pietro', 'petr', 'pyotr', 'pierre', 'peter', 'petro'],
  ['andrei', 'andrea', 'andriy', 'andrii', 'andre', 'andrew', 'andrzej'],
  ['constantin', 'costantino', 'konstantin', 'kostiantyn'],
  ['serghei', 'sergei', 'sergey', 'serhii', 'serhiy', 'sergio'],
  ['bogdan', 'bohdan'],
  ['elena', 'olena', 'helena', 'jelena', 'yelena', 'helene'],
  ['ecaterina', 'ekaterina', 'katerina', 'caterina', 'kateryna', 'catherine'],
  // Ukrainian and Russian forms of one name; Ukrainian writes h where Russian writes g.
  ['vladimir', 'volodymyr', 'volodimir', 'wladimir', 'vladimiro'],
  ['galina', 'halyna', 'galyna', 'halina'],
  ['oleg', 'oleh'],
  ['igor', 'ihor'],
  ['grigori', 'grigoriy', 'hryhorii', 'hryhoriy', 'gregorio', 'grigore'],
  ['aleksei', 'alexei', 'alexey', 'oleksii', 'oleksiy', 'alessio'],
  ['cheikh', 'cheick', 'cheik', 'sheikh', 'shaikh', 'sheik', 'chekh'],
  ['thierno', 'tierno', 'cerno', 'cherno'],
  // Senegambian family names: the French spelling in Senegal, the English one in the Gambia.
  ['diop', 'jobe', 'diope'],
  ['thiam', 'cham'],
  ['ndiaye', 'njie'],
  ['gueye', 'gaye'],
  ['mbaye', 'mbye'],
  ['faye', 'fye'],
  ['ceesay', 'sisay', 'cisse'],
  ['toure', 'touray'],
  ['jallow', 'diallo', 'jalloh'],
];
// What friends call a person, well known to Italian operators: "Peppe" in one record, "Giuseppe" in another.
// Also the common short forms in the other languages of the street (Romanian, Arabic, West African,
// Ukrainian and Russian): a form can belong to two names (Totò is Antonio or Salvatore, Enzo is
// Vincenzo or Lorenzo).
const nicknameGroups = [
  ['giuseppe', 'peppe', 'beppe', 'pino', 'peppino'],
  ['giuseppina', 'pina', 'giusi'],
  ['luigi', 'gigi', 'gino'],
  ['domenico', 'mimmo'],
  ['salvatore', 'toto', 'turi', 'salvo'],
  ['antonio', 'tonino', 'toni', 'toto', 'nino'],
  ['giovanni', 'gianni', 'nanni', 'vanni'],
  ['francesco', 'franco', 'checco', 'ciccio'],
  ['vincenzo', 'enzo'],
  ['lorenzo', 'enzo', 'renzo'],
  ['raffaele', 'lello'],
  ['gennaro', 'rino'],
  ['gaetano', 'tano'],
  ['calogero', 'lillo'],
  ['carmelo', 'melo'],
  ['alexandru', 'sandu', 'alex'],
  ['gheorghe', 'gica', 'ghita'],
  ['dumitru', 'mitica', 'mitu'],
  ['nicolae', 'nicu', 'nae'],
  ['constantin', 'costel', 'costica', 'costi', 'dinu', 'titi'],
  ['vasile', 'vasi', 'lica', 'sile'],
  ['ion', 'ionel', 'ionica', 'nelu'],
  ['mohamed', 'momo', 'hamada', 'mido', 'hamoudi', 'simo', 'moha'],
  ['abdelkader', 'kader', 'kadir'],
  ['noureddine', 'nouri'],
  ['mamadou', 'madou'],
  ['ibrahima', 'ibou'],
  ['abdoulaye', 'laye'],
  ['cheikh', 'cheikhou'],
  ['chukwuemeka', 'emeka'],
  ['babatunde', 'tunde'],
  ['oluwaseun', 'seun'],
  ['aleksandr', 'oleksandr', 'alexander', 'sasha', 'sashko', 'sanya', 'shura'],
  ['dmitri', 'dmytro', 'dima'],
  ['vladimir', 'volodymyr', 'volodya', 'vova'],
  ['mikhail', 'mykhailo', 'misha'],
  ['nikolai', 'mykola', 'kolya'],
  ['ivan', 'vanya'],
  ['sergei', 'serhiy', 'seryozha'],
  ['yuri', 'yura'],
  ['aleksei', 'oleksii', 'alyosha', 'lyosha'],
  ['pavel', 'pavlo', 'pasha'],
  ['ekaterina', 'kateryna', 'katya'],
  ['tatiana', 'tetiana', 'tanya'],
  ['natalia', 'nataliya', 'natasha'],
];
// Each name → the groups it belongs to, a group named by its first name: a key that stays the same
// when groups are added (a change of groups still needs the keys computed again: a migration).
const equivalents = new Map<string, Set<string>>();
for (const group of [...equivalentGroups, ...nicknameGroups])
  for (const name of group) equivalents.set(name, (equivalents.get(name) ?? new Set()).add(group[0]));

/** The groups of known equivalent names a token belongs to, as blocking keys can carry them. */
export function equivalenceClassesOf(token: string): string[] {
  return [...(equivalents.get(token) ?? [])].map((g) => `=${g}`);
}

export function areEquivalentNames(a: string, b: string): boolean {
  const groups = equivalents.get(a);
  return groups !== undefined && [...(equivalents.get(b) ?? [])].some((g) => groups.has(g));
}

/** Jaro-Winkler similarity (prefix scale 0.1, up to 4 letters): 1 for equal strings. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const matchedA = new Array<boolean>(a.length).fill(false);
  const matchedB = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
      if (!matchedB[j] && a[i] === b[j]) {
        matchedA[i] = matchedB[j] = true;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  for (let i = 0, j = 0; i < a.length; i++) {
    if (!matchedA[i]) continue;
    while (!matchedB[j]) j++;
    if (a[i] !== b[j]) transpositions++;
    j++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

export const withoutArticle = (token: string) => (/^(el|al|ul)[a-z]{4}/.test(token) ? token.slice(2) : token);

/** A name token with its sound, computed once per record rather than once per comparison. */
export type NameToken = { text: string; sound: string };

export const toNameTokens = (texts: string[]): NameToken[] =>
  texts.map((text) => ({ text, sound: phoneticKey(text) }));

/**
 * How alike two name tokens are, in [0, 1]: spelling, sound (unless `bySound` is false: names
 * with a fixed spelling, where Rossi and Russo are two families), and names known to be one.
 */
export function tokenSimilarity(a: NameToken, b: NameToken, bySound = true): number {
  const [x, y] = [a.text, b.text];
  if (x === y) return 1;
  // An initial ("M.") agrees with any name it begins, but says little.
  if (x.length === 1 || y.length === 1) return x[0] === y[0] ? 0.8 : 0;
  let similarity = jaroWinkler(x, y);
  if (bySound && Math.min(x.length, y.length) >= 3 && a.sound === b.sound) {
    // Few consonants sound alike by chance (Hassan / Hussein, Rossi / Russo): less weight to the sound.
    similarity = Math.max(similarity, a.sound.replace(/a/g, '').length >= 3 ? 0.93 : 0.88);
  }
  if (areEquivalentNames(x, y)) similarity = Math.max(similarity, 0.9);
  // Elamrani / Amrani: the Arabic article is written or not.
  const [bareX, bareY] = [withoutArticle(x), withoutArticle(y)];
  if (bareX !== x || bareY !== y) similarity = Math.max(similarity, jaroWinkler(bareX, bareY) - 0.02);
  return similarity;
}

/**
 * How well the tokens of the shorter name are found in the longer one, each token of the longer
 * name used once (greedy, best pairs first: "Marian Marin" does not match "Marian Dumitru" twice);
 * when the names have different numbers of words, also the words written together ("Nour Eddine" /
 * "Noureddine"), whichever is higher. `extraPenalty` is taken per unmatched token of the longer name.
 */
export function tokenSetSimilarity(
  a: NameToken[],
  b: NameToken[],
  options: { extraPenalty?: number; bySound?: boolean } = {},
): number {
  if (a.length === 0 || b.length === 0) return 0;
  const { extraPenalty = 0, bySound = true } = options;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let total = 0;
  if (short.length === 1) {
    for (const l of long) total = Math.max(total, tokenSimilarity(short[0], l, bySound));
  } else {
    const cells = short.flatMap((s, i) =>
      long.map((l, j) => ({ i, j, similarity: tokenSimilarity(s, l, bySound) })),
    );
    cells.sort((x, y) => y.similarity - x.similarity);
    const [usedShort, usedLong] = [new Set<number>(), new Set<number>()];
    for (const cell of cells) {
      if (usedShort.has(cell.i) || usedLong.has(cell.j)) continue;
      usedShort.add(cell.i);
      usedLong.add(cell.j);
      total += cell.similarity;
    }
  }
  const spread = total / short.length - extraPenalty * (long.length - short.length);
  const joined =
    a.length !== b.length ? jaroWinkler(a.map((t) => t.text).join(''), b.map((t) => t.text).join('')) : 0;
  return Math.max(spread, joined);
}
