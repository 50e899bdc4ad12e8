// Names for the synthetic matching set (scripts/bench/matching-data.ts): the names most met in
// Milan's night outreach, most common first, and spellings of them attested in registries and on
// documents (French, English, Italian transliterations; Slavic names typed in Latin letters).
// Accents are written as on documents; dropping them is one of the generator's mechanical errors.

export type Origin = 'italian' | 'romanian' | 'maghreb' | 'egyptian' | 'west-african' | 'eastern-european';

export type NameBook = {
  origin: Origin;
  /** Share of the humans of this origin. */
  share: number;
  nationalities: Array<[code: string, weight: number]>;
  male: string[];
  female: string[];
  family: string[];
  /** A name → other spellings of it written by someone else. */
  variants: Map<string, string[]>;
  /** A given name → what friends call the person: becomes a street name or, rarely, the given name. */
  nicknames: Map<string, string[]>;
  /** Chance that a token is written in one of its other spellings. */
  variantRate: number;
  /** Chance that the given name has two words ("Mohamed Amine", "Maria Grazia"). */
  doubleGivenRate: number;
};

const list = (names: string) => names.split(',').map((n) => n.trim());
// "Name:Variant|Variant;Name:Variant"
const table = (entries: string) =>
  new Map(
    entries
      .split(';')
      .map((e) => e.trim())
      .filter(Boolean)
      .map((e) => {
        const [name, others] = e.split(':');
        return [name.trim(), others.split('|').map((o) => o.trim())] as [string, string[]];
      }),
  );

export const nameBooks: NameBook[] = [
  {
    origin: 'italian',
    share: 0.33,
    nationalities: [['IT', 1]],
    male: list(
      'Giuseppe,Giovanni,Antonio,Mario,Luigi,Francesco,Angelo,Vincenzo,Pietro,Salvatore,Carlo,Franco,Domenico,Bruno,Paolo,Michele,Giorgio,Aldo,Sergio,Luciano,Roberto,Marco,Andrea,Stefano,Massimo,Luca,Alessandro,Davide,Fabio,Claudio,Gianni,Maurizio,Nicolò,Raffaele,Gennaro,Ciro,Enzo,Renato',
    ),
    female: list(
      'Maria,Anna,Giuseppina,Rosa,Angela,Giovanna,Teresa,Lucia,Carmela,Francesca,Paola,Laura,Elena,Rita,Patrizia,Silvana',
    ),
    family: list(
      "Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Colombo,Ricci,Marino,Greco,Bruno,Gallo,Conti,De Luca,Mancini,Costa,Giordano,Rizzo,Lombardi,Moretti,Barbieri,Fontana,Santoro,Mariani,Rinaldi,Caruso,Ferrara,Galli,Martini,Leone,Longo,Gentile,Martinelli,Vitale,Lombardo,Serra,Coppola,De Santis,D'Angelo,Marchetti,Parisi,Villa,Conte,Ferraro,Fabbri,Bianco,Marini,Grasso,Valentini,Messina,Sala,De Angelis,Gatti,Pellegrini,Palumbo,Sanna,Farina,Rizzi,Monti,Cattaneo,Morelli,Amato,Silvestri,Mazza,Testa,Grassi,Pellegrino,Carbone,Giuliani,Benedetti,Barone,Caputo,Montanari,Guerra,Palmieri,Bernardi,Fiore,De Rosa,Brambilla,Fumagalli,Cantù,Panarò,Musumeci,Scognamiglio,Esposto",
    ),
    variants:
      table(`Nicolò:Niccolò|Nicola; De Luca:Deluca|Di Luca; D'Angelo:Dangelo|D Angelo; De Santis:Desantis; De Angelis:Deangelis|D'Angelis;
      De Rosa:Derosa; Scognamiglio:Scognamillo|Scognamilio; Giuseppina:Giusi; Musumeci:Musumesi`),
    nicknames:
      table(`Giuseppe:Peppe|Pino|Beppe; Giovanni:Gianni|Nanni; Antonio:Tonino|Totò; Francesco:Franco|Checco; Salvatore:Totò|Turi;
      Domenico:Mimmo; Luigi:Gino|Gigi; Vincenzo:Enzo; Raffaele:Lello; Gennaro:Rino; Giuseppina:Pina`),
    variantRate: 0.04,
    doubleGivenRate: 0.04,
  },
  {
    origin: 'romanian',
    share: 0.16,
    nationalities: [
      ['RO', 0.85],
      ['MD', 0.15],
    ],
    male: list(
      'Ion,Gheorghe,Vasile,Constantin,Ioan,Nicolae,Mihai,Dumitru,Alexandru,Ștefan,Florin,Marian,Adrian,Daniel,Cristian,Ionuț,Gabriel,Andrei,Petru,Costel,Sorin,Marius,Cătălin,Lucian,Viorel,Răzvan,Bogdan,Dănuț,Ilie,Nicușor,Fănel,Gigel',
    ),
    female: list(
      'Maria,Elena,Ioana,Ana,Mihaela,Andreea,Cristina,Florica,Gabriela,Rodica,Mariana,Daniela,Ecaterina,Lăcrămioara,Sorina',
    ),
    family: list(
      'Popescu,Popa,Pop,Radu,Dumitru,Stan,Stoica,Gheorghe,Matei,Ciobanu,Ionescu,Rusu,Mihai,Constantin,Munteanu,Moldovan,Lungu,Căldăraru,Marin,Dinu,Toma,Tudor,Șerban,Stănescu,Diaconu,Florea,Bălan,Niculescu,Sandu,Lăcătuș,Ursu,Zamfir,Ștefan,Nistor,Dobre,Barbu,Neagu,Mocanu,Țurcanu,Rădulescu,Anghel,Vlad,Ene,Cojocaru,Oprea,Preda,Ungureanu,Rostaș,Spoitoru,Lingurar,Ursaru,Fieraru,Dumitrache,Boldea,Sârbu,Bădiță',
    ),
    variants:
      table(`Ion:Ioan|Ionel; Ioan:Ion; Gheorghe:Gheorghi|Giorghe|George; Ionuț:Ionutz|Ionuz|Ionut; Ștefan:Stefano|Shtefan;
      Nicușor:Nicusor|Nicusoru; Dănuț:Danut|Danuts; Costel:Costica; Cătălin:Catalin|Katalin; Răzvan:Razvan|Rasvan; Ciobanu:Chobanu|Ciobanu;
      Șerban:Sherban|Serban; Țurcanu:Turcanu|Tzurcanu; Lăcătuș:Lacatus|Lacatush|Lacatos; Căldăraru:Caldararu|Caldarar|Kaldararu;
      Rostaș:Rostas|Rostash; Sârbu:Sirbu|Sarbu; Bădiță:Badita|Baditza; Ecaterina:Caterina|Ekaterina; Lăcrămioara:Lacramioara|Lacrimioara;
      Stănescu:Stanescu|Stanesco; Rădulescu:Radulescu|Radulesco; Niculescu:Niculesco|Nicolescu; Mihai:Mihail|Michele`),
    nicknames: table(
      `Ionuț:Johnny|Nuțu; Vasile:Vasi|Lică; Alexandru:Sandu|Alex; Gheorghe:Ghiță|Gică; Constantin:Costi|Dinu; Dumitru:Mitică; Nicolae:Nicu; Ion:Ionică`,
    ),
    variantRate: 0.12,
    doubleGivenRate: 0.05,
  },
  {
    origin: 'maghreb',
    share: 0.18,
    nationalities: [
      ['MA', 0.55],
      ['TN', 0.25],
      ['DZ', 0.2],
    ],
    male: list(
      'Mohamed,Ahmed,Youssef,Abdelkader,Karim,Rachid,Said,Hassan,Mustapha,Khalid,Abdellah,Omar,Hamid,Nabil,Samir,Brahim,Mehdi,Yassine,Amine,Hicham,Abderrahim,Driss,Noureddine,Redouane,Bilal,Tarik,Adil,Fouad,Aziz,Hakim,Ayoub,Ismail,Anouar,Zakaria,Mourad',
    ),
    female: list('Fatima,Khadija,Amina,Nadia,Samira,Malika,Aicha,Naima,Zineb,Leila,Souad,Karima'),
    family: list(
      'El Amrani,Benali,Bennani,Alaoui,Idrissi,Tazi,Berrada,El Idrissi,Chraibi,Bouzid,Saidi,Belkacem,Haddad,Mansouri,Ouali,Boukhari,Hamdi,Khelifi,Benaissa,Mahjoub,Zerouali,Touati,Cherif,Brahimi,Meziane,Rahmani,Ait Ali,Ouazzani,El Fassi,Lahlou,Kaddouri,Amrani,Belhadj,Djebbar,Ziani,Slimani,Hadji,Ferhat,Benyoussef,Trabelsi,Jebali,Gharbi,Ben Salah,Ben Ammar,Dridi,Mejri,Hammami,Ayari',
    ),
    variants:
      table(`Mohamed:Mohammed|Mohamad|Muhammad|Mohammad|Mouhamed|Mohamd|Mhamed; Ahmed:Ahmad|Ahmet|Hmed; Youssef:Yousef|Yusuf|Youcef|Yussef|Jusuf|Youssouf;
      Abdelkader:Abdel Kader|Abd El Kader|Abdelkadir|Abdulkader|Abd-el-Kader; Karim:Kareem|Carim; Rachid:Rashid|Rachide|Rashed; Said:Saïd|Saeed|Sayed;
      Hassan:Hasan|Hassane; Mustapha:Mustafa|Mostafa|Moustapha; Khalid:Khaled|Halid|Kaled; Abdellah:Abdallah|Abdullah|Abdelah; Omar:Oumar|Umar;
      Hamid:Hamed|Hameed; Nabil:Nabeel|Nabile; Samir:Sameer|Samire; Brahim:Ibrahim|Brahime; Mehdi:Mahdi|Mehdy; Yassine:Yassin|Yasin|Yacine;
      Amine:Amin|Lamine; Hicham:Hisham|Hichem; Driss:Idriss|Idris|Dris; Noureddine:Nour Eddine|Nour-Eddine|Nourdine|Nuredin;
      Redouane:Redwan|Ridouane|Radwan; Tarik:Tariq|Tarek; Adil:Adel; Fouad:Fuad; Ayoub:Ayyub|Aiub; Ismail:Ismaël|Smail|Ismael; Zakaria:Zakariya|Zacharia|Zakariae;
      Mourad:Murad; Abderrahim:Abdel Rahim|Abderahim|Abdurrahim; Anouar:Anwar|Anuar; Fatima:Fatma|Fatime; Khadija:Khadidja|Kadija|Hadija;
      Aicha:Aïcha|Aisha|Aysha; Leila:Layla|Leyla|Laila; Naima:Naïma|Nayma; Zineb:Zainab|Zeynab; El Amrani:Elamrani|Amrani|El-Amrani;
      Benali:Ben Ali|Ben-Ali; Bennani:Benani; Alaoui:Alaui|Alawi; Idrissi:Idrisi|El Idrissi; Chraibi:Chraïbi|Shraibi; Bouzid:Bouzide|Bu Zid;
      Belkacem:Belkassem|Belgacem|Belqacem; Haddad:Hadad; Mansouri:Mansuri|El Mansouri; Boukhari:Bukhari|Boukari; Khelifi:Khalifi|Khlifi;
      Cherif:Sherif|Chérif|Charif; Brahimi:Ibrahimi; Ait Ali:Aït Ali|Aitali; Ben Salah:Bensalah|Ben Saleh; Trabelsi:Trabelssi|Tarabulsi;
      Hammami:Hamami; Djebbar:Jebbar|Djabbar; Benyoussef:Ben Youssef|Benyousef; Ouazzani:Wazzani|Ouazani; Kaddouri:Kadouri|Qaddouri; Belhadj:Bel Hadj|Belhaj`),
    nicknames: table(
      `Mohamed:Momo|Hamoudi|Simo; Abdelkader:Kader|Kadir; Youssef:Yussi|Jo; Mustapha:Mousti; Abdellah:Abdou; Noureddine:Nouri; Redouane:Red`,
    ),
    variantRate: 0.45,
    doubleGivenRate: 0.12,
  },
  {
    origin: 'egyptian',
    share: 0.06,
    nationalities: [
      ['EG', 0.9],
      ['SD', 0.1],
    ],
    male: list(
      'Mohamed,Ahmed,Mahmoud,Mostafa,Hassan,Hussein,Ali,Ibrahim,Khaled,Amr,Tamer,Sherif,Karim,Hany,Walid,Ayman,Ehab,Osama,Gamal,Magdy,Sameh,Wael,Tarek,Islam,Abdelrahman,Youssef,Mina,Girgis,Bishoy',
    ),
    female: list('Fatma,Mona,Heba,Amal,Nour,Mariam,Dina,Yasmin'),
    family: list(
      'Abdelrahman,Mahmoud,Hassan,Ibrahim,Mostafa,Ali,Abdallah,Salem,Saad,El Sayed,Gaber,Farouk,Hamdy,Ramadan,Shehata,Soliman,Abdel Aziz,Fathy,Fawzy,Ismail,Naguib,Zaki,Kamel,Helmy,Mansour,Ashraf,Hegazy,Eid,Morsi,Fahmy',
    ),
    variants:
      table(`Mohamed:Mohammed|Muhammad|Mohamad|Mohammad; Ahmed:Ahmad; Mahmoud:Mahmud|Mahmood|Mahmut; Mostafa:Mustafa|Moustafa|Mustapha;
      Hussein:Husein|Hossein|Houssein|Husain; Amr:Amro|Amru; Gamal:Jamal|Gamaal; Osama:Usama|Oussama|Ossama; Magdy:Magdi|Majdi; Hany:Hani;
      Walid:Waleed|Oualid; Ehab:Ihab; Sameh:Samih|Sameeh; Abdelrahman:Abdel Rahman|Abd El Rahman|Abdulrahman|Abderrahmane; Soliman:Suleiman|Sulaiman|Soleiman;
      El Sayed:Elsayed|Al Sayed|Sayed|El-Sayed; Shehata:Shahata|Chehata; Fathy:Fathi; Fawzy:Fawzi|Fauzi; Hamdy:Hamdi; Zaki:Zaky; Helmy:Helmi|Hilmi;
      Hegazy:Hegazi|Higazi|Hijazi; Eid:Aid; Morsi:Morsy|Mursi; Fahmy:Fahmi; Tarek:Tariq|Tarik; Khaled:Khalid; Sherif:Cherif|Sharif;
      Abdel Aziz:Abdelaziz|Abd El Aziz|Abdulaziz; Gaber:Jaber|Gabr; Farouk:Farouq|Faruk; Naguib:Naguib|Nagib|Najib; Girgis:Guirguis|Gerges|Georges;
      Bishoy:Bishoi|Bichoy; Abdallah:Abdullah|Abdellah; Ismail:Ismael|Esmail; Mariam:Maryam|Meriam; Yasmin:Yasmine|Jasmin`),
    nicknames: table(`Mohamed:Hamada|Mido; Mahmoud:Hoda; Mostafa:Mizo`),
    variantRate: 0.45,
    doubleGivenRate: 0.06,
  },
  {
    origin: 'west-african',
    share: 0.18,
    nationalities: [
      ['SN', 0.35],
      ['ML', 0.2],
      ['GN', 0.15],
      ['NG', 0.2],
      ['GM', 0.05],
      ['CI', 0.05],
    ],
    male: list(
      'Mamadou,Moussa,Ibrahima,Cheikh,Abdoulaye,Ousmane,Modou,Babacar,Pape,Alioune,Assane,Serigne,Lamine,Oumar,Souleymane,Boubacar,Amadou,Seydou,Bakary,Sekou,Mohamed,Ismaila,Adama,Issa,Drissa,Thierno,Alpha,Chukwuemeka,Chinedu,Oluwaseun,Babatunde,Ifeanyi,Emmanuel,Samuel,Godwin,Friday,Sunday',
    ),
    female: list(
      'Fatou,Aminata,Fatoumata,Mariama,Awa,Aissatou,Kadiatou,Coumba,Ndeye,Blessing,Joy,Precious,Gift,Favour,Ngozi,Chioma',
    ),
    family: list(
      'Diallo,Ndiaye,Diop,Traoré,Fall,Sow,Ba,Camara,Coulibaly,Keïta,Sy,Gueye,Faye,Seck,Mbaye,Cissé,Sarr,Thiam,Kane,Diouf,Touré,Diarra,Koné,Sissoko,Konaté,Doumbia,Sangaré,Kouyaté,Dembélé,Sidibé,Sylla,Maïga,Diakité,Barry,Bah,Baldé,Condé,Soumah,Bangoura,Niang,Mbengue,Dieng,Okafor,Okonkwo,Eze,Nwosu,Adeyemi,Okoro,Bello,Abubakar,Obi,Nwachukwu,Adebayo,Ogunleye',
    ),
    variants:
      table(`Mamadou:Mamadu|Mammadou|Mamado|Mahamadou; Moussa:Musa|Mousa|Moussah; Ibrahima:Ibrahim|Ibraima|Brahima; Cheikh:Cheick|Sheikh|Cheik|Shaikh;
      Abdoulaye:Abdulaye|Abdoulai|Abdoulahi|Abdullahi; Ousmane:Usman|Ousman|Osmane; Modou:Moudou|Modu; Babacar:Babakar; Pape:Papa|Pap;
      Alioune:Aliou|Alioun|Aliune; Assane:Hassane|Asane; Serigne:Serign; Lamine:Lamin|Al Amine; Oumar:Omar|Umar|Oumarou;
      Souleymane:Suleiman|Soulemane|Sulayman|Souleyman; Boubacar:Aboubacar|Boubakar|Abubakar; Amadou:Ahmadou|Amadu|Hamadou; Seydou:Seidou|Saidou|Seydu;
      Bakary:Bakari|Bakar; Sekou:Sékou|Sekuo; Ismaila:Ismael|Ismaïla; Issa:Isa|Issah; Drissa:Idrissa|Drisa; Thierno:Tierno|Cerno; Alpha:Alfa;
      Chukwuemeka:Chukwu-Emeka|Chukuemeka|Emeka; Oluwaseun:Oluseun|Seun; Babatunde:Baba Tunde|Babatunmde; Ifeanyi:Ifeanyichukwu|Ifeany;
      Fatou:Fatu; Aminata:Aminatou|Aminatta; Mariama:Mariam|Mariame; Aissatou:Aïssatou|Aisatou|Aissata; Kadiatou:Kadiatu|Khadiatou|Hadiatou; Ndeye:Ndèye|Ndey;
      Diallo:Jallo|Djalo|Dialo|Diallò; Ndiaye:N'Diaye|Ndiay|N Diaye|Ndiae; Diop:Diope|Jobe; Traoré:Traorè|Trawore|Traorée; Fall:Fal; Sow:Sowe; Ba:Bah;
      Camara:Kamara; Coulibaly:Kulibali|Coulibali|Kulibaly; Keïta:Keyta|Kéita; Sy:Si; Gueye:Guèye|Gey|Gueie; Faye:Fay; Seck:Sek; Mbaye:M'Baye|Mbay;
      Cissé:Sisse|Cissè; Sarr:Sar; Thiam:Tiam|Cham; Kane:Kan; Diouf:Diuf|Juf; Touré:Ture|Turè; Diarra:Jarra|Diara|Djarra; Koné:Konè;
      Sissoko:Cissoko|Sisoko; Konaté:Conate|Konatè; Doumbia:Dumbia|Doumbiya; Sangaré:Sankare; Kouyaté:Kuyate|Kouyatè; Dembélé:Dembele;
      Sidibé:Sidibè; Sylla:Silla|Sila; Maïga:Maiga; Diakité:Jakite|Diakhate; Barry:Bari|Bary; Bah:Ba; Baldé:Baldè; Condé:Kondé;
      Soumah:Souma|Sumah; Bangoura:Bangura; Niang:Nyang; Mbengue:M'Bengue|Mbenge; Dieng:Dyeng; Okafor:Okafo; Okonkwo:Okonkow; Nwosu:Nuosu;
      Eze:Ezeh; Okoro:Okorro; Bello:Belo; Abubakar:Abubakr|Aboubakar; Obi:Obih; Nwachukwu:Nwachuku|Nwa-Chukwu; Adebayo:Adebajo`),
    nicknames: table(
      `Mamadou:Mams|Madou; Chukwuemeka:Emeka; Babatunde:Tunde; Oluwaseun:Seun; Abdoulaye:Laye; Cheikh:Cheikhou; Ibrahima:Ibou`,
    ),
    variantRate: 0.4,
    doubleGivenRate: 0.1,
  },
  {
    origin: 'eastern-european',
    share: 0.09,
    nationalities: [
      ['UA', 0.45],
      ['PL', 0.2],
      ['BG', 0.15],
      ['RU', 0.1],
      ['MD', 0.1],
    ],
    male: list(
      'Oleksandr,Serhiy,Andriy,Volodymyr,Mykola,Dmytro,Yuriy,Vasyl,Ivan,Petro,Igor,Sergei,Aleksandr,Dmitri,Nikolai,Vladimir,Mikhail,Alexei,Viktor,Pavel,Roman,Oleg,Artem,Maksym,Bogdan,Georgi,Dimitar,Stoyan,Piotr,Tomasz,Krzysztof,Marek,Grzegorz',
    ),
    female: list(
      'Olena,Natalia,Tetiana,Svetlana,Irina,Oksana,Yulia,Galina,Lyudmila,Marina,Agnieszka,Katarzyna',
    ),
    family: list(
      'Shevchenko,Kovalenko,Bondarenko,Tkachenko,Kravchenko,Melnyk,Boyko,Kovalchuk,Oliynyk,Lysenko,Ivanov,Smirnov,Kuznetsov,Popov,Sokolov,Petrov,Volkov,Morozov,Novikov,Fedorov,Kowalski,Nowak,Wiśniewski,Wójcik,Kowalczyk,Kamiński,Lewandowski,Zieliński,Szymański,Dąbrowski,Georgiev,Dimitrov,Nikolov,Stoyanov,Todorov,Ceban,Cebotari,Lupu',
    ),
    variants:
      table(`Oleksandr:Aleksandr|Olexandr|Oleksander|Alexander; Serhiy:Sergiy|Serhii|Sergei|Sergey|Serghei; Andriy:Andrii|Andrei|Andrey;
      Volodymyr:Vladimir|Volodimir|Wolodymyr; Mykola:Mikola|Nikolai|Nikolay; Dmytro:Dmitro|Dmitri|Dmitry; Yuriy:Yurii|Iurii|Yuri|Jurij;
      Vasyl:Vasil|Wasyl|Vasile; Ivan:Iwan; Petro:Petr|Pyotr; Igor:Ihor; Sergei:Sergey|Serghei|Sergej; Aleksandr:Alexandr|Aleksander|Alexander;
      Dmitri:Dmitriy|Dmitrij|Dmitry; Nikolai:Nikolay|Nicolai; Vladimir:Wladimir|Vladimyr; Mikhail:Mihail|Michail|Mykhailo; Alexei:Aleksei|Alexey|Oleksiy;
      Viktor:Victor|Wiktor; Pavel:Pavlo|Paul; Oleg:Oleh; Artem:Artyom|Artiom; Maksym:Maksim|Maxim; Bogdan:Bohdan; Georgi:Georgiy|Gheorghi;
      Piotr:Pyotr|Petr; Krzysztof:Kristof|Krzystof; Grzegorz:Gregorz|Gzegorz; Natalia:Natalya|Nataliya; Tetiana:Tatiana|Tatyana|Tetyana;
      Svetlana:Svitlana|Swietlana; Irina:Iryna|Irena; Yulia:Iulia|Julia|Yuliya; Galina:Halyna|Galyna; Lyudmila:Liudmila|Ludmila|Lyudmyla;
      Shevchenko:Schevchenko|Shevtchenko|Chevtchenko; Kovalenko:Kowalenko; Tkachenko:Tkatchenko|Tkacenko; Kravchenko:Kravtchenko|Krawczenko;
      Melnyk:Melnik; Boyko:Boiko|Bojko; Kovalchuk:Kowalczuk|Kovalciuc; Oliynyk:Oliinyk|Oleinik|Olijnyk; Lysenko:Lisenko; Ivanov:Ivanoff|Iwanow;
      Smirnov:Smirnoff; Kuznetsov:Kuznecov|Kuznetzov|Kusnezow; Popov:Popoff; Sokolov:Sokoloff|Sokolow; Petrov:Petroff; Volkov:Wolkow|Volkoff;
      Morozov:Morozoff; Novikov:Novikoff; Fedorov:Fyodorov|Fiodorov|Fedoroff; Kowalski:Kovalski|Kowalsky; Nowak:Novak; Wiśniewski:Visnevski|Wisnewski;
      Wójcik:Woicik|Vojcik; Kowalczyk:Kovalcik; Kamiński:Kaminsky; Lewandowski:Levandovski; Zieliński:Zelinski; Szymański:Shimanski|Szymanski;
      Dąbrowski:Dombrovski; Georgiev:Gheorghiev; Stoyanov:Stoianov|Stojanov; Ceban:Cheban|Ciban; Cebotari:Chebotari|Ciobotaru; Todorov:Todoroff`),
    nicknames: table(
      `Oleksandr:Sasha|Sashko; Aleksandr:Sasha|Sanya; Dmitri:Dima; Vladimir:Volodya|Vova; Mikhail:Misha; Nikolai:Kolya; Krzysztof:Krzys; Ivan:Vanya`,
    ),
    variantRate: 0.45,
    doubleGivenRate: 0.01,
  },
];

/** Street names given by others, whatever one's origin. */
export const streetNames = list(
  'il Professore,Rasta,Johnny,Bob Marley,Baffo,il Rosso,Mamma Africa,Zio,Capitano,il Tedesco,Nonno,Polacco,Pelé,Rambo,Bomber,Charlie,Dottore,il Biondo,Sandokan,Popeye,Rocky,Maradona,il Marocchino,Tarzan,Gandhi,Mago,Tigre,Cowboy,Barbanera,Occhiali,Poeta,Chitarra,Generale,Re Leone,Fratellino,Ciccio,Toro,Pescatore,Milanista,Cane Nero',
);

/** Nationalities an operator may confuse, or a person may give differently. */
export const confusableNationalities: Record<string, string[]> = {
  MA: ['DZ', 'TN'],
  DZ: ['MA', 'TN'],
  TN: ['DZ', 'MA'],
  EG: ['SD'],
  SD: ['EG'],
  SN: ['GM', 'ML'],
  GM: ['SN'],
  ML: ['SN', 'GN'],
  GN: ['ML', 'SN'],
  NG: ['GH'],
  CI: ['ML'],
  RO: ['MD'],
  MD: ['RO', 'UA'],
  UA: ['RU', 'MD'],
  RU: ['UA'],
  PL: ['UA'],
  BG: ['MD'],
  IT: ['SM'],
};

// Latin → Cyrillic for names copied from a Cyrillic document: digraphs first.
const toCyrillicPairs: Array<[string, string]> = [
  ['shch', 'щ'],
  ['zh', 'ж'],
  ['kh', 'х'],
  ['ts', 'ц'],
  ['ch', 'ч'],
  ['sh', 'ш'],
  ['yu', 'ю'],
  ['ya', 'я'],
  ['ye', 'є'],
  ['yi', 'ї'],
  ['iy', 'ий'],
  ['a', 'а'],
  ['b', 'б'],
  ['v', 'в'],
  ['g', 'г'],
  ['h', 'г'],
  ['d', 'д'],
  ['e', 'е'],
  ['z', 'з'],
  ['i', 'і'],
  ['y', 'и'],
  ['k', 'к'],
  ['l', 'л'],
  ['m', 'м'],
  ['n', 'н'],
  ['o', 'о'],
  ['p', 'п'],
  ['r', 'р'],
  ['s', 'с'],
  ['t', 'т'],
  ['u', 'у'],
  ['f', 'ф'],
  ['c', 'ц'],
  ['w', 'в'],
  ['x', 'кс'],
  ['j', 'й'],
  ['q', 'к'],
];

export function toCyrillic(latin: string): string {
  let out = '';
  const lower = latin.toLowerCase();
  for (let i = 0; i < lower.length;) {
    const pair = toCyrillicPairs.find(([l]) => lower.startsWith(l, i));
    if (pair) {
      out += i === 0 || lower[i - 1] === ' ' ? pair[1].toUpperCase() : pair[1];
      i += pair[0].length;
    } else {
      out += lower[i];
      i += 1;
    }
  }
  return out;
}

// The lists above are the most common names only; real registries have a long tail of family
// names. A draw outside the list composes a plausible rare one, so namesakes are as frequent as in
// life: many among West Africans (Diallo, Ndiaye), few among Italians (Rossi is 0.4 % of Italy).
export const familyListCoverage: Record<Origin, number> = {
  italian: 0.25,
  romanian: 0.35,
  maghreb: 0.3,
  egyptian: 0.5,
  'west-african': 0.85,
  'eastern-european': 0.3,
};

const syllables: Record<Origin, [string[], string[], string[]]> = {
  italian: [
    list(
      'Bar,Cal,Fer,Gar,Mar,Pel,Ros,San,Tor,Vit,Bel,Cor,Fal,Lan,Mon,Pas,Ser,Tam,Zan,Ber,Cas,Dal,Gal,Liv,Nar,Pic,Sal,Ter,Val,Brun,Chi,Fio,Lom,Mag,Orl,Pug,Scar,Spad,Trev',
    ),
    list('a,e,i,o,,u,an,er'),
    list('ldi,ndi,nelli,etti,ucci,ini,one,ari,ello,otti,esi,aro,ano,ardi,ieri,asso,occhi,uzzi,ese'),
  ],
  romanian: [
    list(
      'Bur,Cost,Drag,Fil,Grig,Hoin,Iord,Lup,Mir,Nec,Oln,Pet,Rom,Sim,Tan,Vas,Zah,Bor,Cerb,Dobr,Gav,Măr,Neg,Pav,Sterg,Tăn,Vlăd',
    ),
    list('a,e,i,o,u,ă,'),
    list('escu,eanu,aru,an,ache,ea,oiu,uc,ilă,ariu,eş,ăscu'),
  ],
  maghreb: [
    list('Ben ,Bou,El ,Ait ,,,Ould ,Ben'),
    list(
      'hadd,karr,mans,slim,zaz,tahr,rahm,bakk,fass,jaaf,kham,lakh,naci,oudgh,saad,tij,wahb,yaal,zerh,chah,dahm,ghal,kerr,lamr,mess,nejj,rkh,sebb,tebb',
    ),
    list('ouni,i,aoui,ani,ari,ane,ache,ami,idi,ouli,aji,iri'),
  ],
  egyptian: [
    list('Abdel ,El ,,,'),
    list('Ghan,Hamd,Kam,Nas,Rag,Sal,Shaw,Tant,Wahb,Zak,Bad,Darw,Fik,Gad,Hen,Mag,Raf,Shaf,Yousr,Zah'),
    list('y,i,awy,ar,ed,ab,an,ra,oud,ein'),
  ],
  'west-african': [
    list('Sa,Ko,Di,Ba,Ma,Ke,Tou,Dou,Si,Ndo,Ga,Okon,Ade,Olu,Nwa,Chi,Obi,Ola,Aki,Ogu,Fo,Ny,Tam'),
    list(',a,o,e,'),
    list('kho,mba,ra,ba,nte,re,ssa,gne,ne,ye,kwo,yemi,wale,nna,bayo,nde,for,ji,ko'),
  ],
  'eastern-european': [
    list(
      'Hryh,Koval,Pavl,Sydor,Tym,March,Zhuk,Lozov,Bereh,Kolesn,Rudn,Savch,Yarosh,Dub,Hon,Kost,Lev,Mosk,Ost,Prok,Semen,Yakov,Zabol,Kraw,Grab',
    ),
    list(',o,e,y,i'),
    list('enko,uk,yk,ov,ev,ski,ich,iak,chuk,ets,in,ko'),
  ],
};

export function rareFamilyName(origin: Origin, random: () => number): string {
  const [starts, middles, ends] = syllables[origin];
  const pick = (xs: string[]) => xs[Math.floor(random() * xs.length)];
  // A fourth, optional syllable: enough rare names that two people share one only by chance.
  const name = `${pick(starts)}${pick(middles)}${pick(['', '', 'n', 'r', 'l', 'st', 'm', 'v'])}${pick(ends)}`;
  // Capitalise each word: "ben" + "hadd..." → "Ben Hadd...".
  return name.replace(/(^|\s)(\p{L})/gu, (_, space: string, letter: string) => space + letter.toUpperCase());
}
