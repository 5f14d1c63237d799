// Progressive enhancement: "Copy" buttons next to read-only fields. Without
// JavaScript the buttons stay hidden and the values can be selected by hand.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const input = document.getElementById(button.dataset.copy);
  if (!input || !navigator.clipboard) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(input.value);
    button.textContent = "✓";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
