// Forms whose step cannot be undone ask first: <form data-confirm="...">. Without script
// the form still works (the server checks everything); this only adds the question.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
