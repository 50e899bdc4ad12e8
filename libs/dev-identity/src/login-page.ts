const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** The smallest sign-in form that lets a browser (or a test following redirects) finish the code flow. */
export function loginPage(page: {
  action: string;
  realmName: string;
  notice?: string;
  username?: string;
  error?: string;
}): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in to ${escapeHtml(page.realmName)} (development)</title></head>
<body>
<h1>Sign in to ${escapeHtml(page.realmName)}</h1>
${page.notice ? `<p>${escapeHtml(page.notice)}</p>` : ''}
${page.error ? `<p role="alert">${escapeHtml(page.error)}</p>` : ''}
<form method="post" action="${escapeHtml(page.action)}">
<p><label>Username <input name="username" autocomplete="username" value="${escapeHtml(page.username ?? '')}" autofocus></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>
<p><button type="submit">Sign in</button></p>
</form>
</body>
</html>
`;
}
